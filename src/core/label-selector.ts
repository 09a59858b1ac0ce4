/**
 * Kubernetes' label selector matching (k8s.io/apimachinery labels.Selector), shared by the
 * scheduler's plugins and the control plane's PodDisruptionBudgets.
 */
import type { LabelSelector } from './placement.js';
import { assertNever } from './assert-never.js';

/** An empty selector matches every set of labels; matchLabels and matchExpressions are ANDed. */
export function matchesLabelSelector(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  if (sel.matchLabels) for (const k in sel.matchLabels) if (labels[k] !== sel.matchLabels[k]) return false;
  if (sel.matchExpressions) {
    for (const e of sel.matchExpressions) {
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      const v = labels[e.key];
      switch (e.operator) {
        case 'In':
          if (!has || !(e.values ?? []).includes(v)) return false;
          break;
        case 'NotIn':
          if (has && (e.values ?? []).includes(v)) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
        default:
          return assertNever(e.operator, 'label selector operator');
      }
    }
  }
  return true;
}
