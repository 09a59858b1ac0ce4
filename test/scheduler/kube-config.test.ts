import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { profileFromInput } from '../../src/scheduler/profile-input.js';

describe('KubeSchedulerConfiguration profiles', () => {
  const cfg = (profile: object, extra: object = {}) => ({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    profiles: [{ schedulerName: 'default-scheduler', ...profile }],
    ...extra,
  });

  it('starts from the default plugins, applies disabled/enabled weights and pluginConfig', () => {
    const { profile, ignored } = profileFromInput(
      cfg(
        {
          plugins: {
            score: { disabled: [{ name: 'ImageLocality' }], enabled: [{ name: 'NodeResourcesFit', weight: 5 }] },
            multiPoint: { disabled: [{ name: 'InterPodAffinity' }] },
          },
          pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }],
        },
        { percentageOfNodesToScore: 20, leaderElection: { leaderElect: false } },
      ),
      'scheduler',
    );
    expect(profile.percentageOfNodesToScore).toBe(20);
    expect(profile.name).toBe('default-scheduler');
    const byName = Object.fromEntries(profile.plugins.map((p) => [p.name, p]));
    expect(byName.ImageLocality.weight).toBe(0); // still there, no score
    expect(byName.InterPodAffinity).toBeUndefined(); // removed everywhere
    expect(byName.NodeResourcesFit).toEqual({ name: 'NodeResourcesFit', weight: 5, args: { scoringStrategy: { type: 'MostAllocated' } } });
    expect(byName.TaintToleration.weight).toBe(3);
    expect(ignored).toEqual(['leaderElection']);
  });

  it('disables every default with "*" and validates args', () => {
    const { profile } = profileFromInput(
      cfg({ plugins: { multiPoint: { disabled: [{ name: '*' }], enabled: [{ name: 'NodeResourcesFit' }, { name: 'DotProduct', weight: 2 }] } } }),
      'scheduler',
    );
    expect(profile.plugins.map((p) => [p.name, p.weight])).toEqual([
      ['NodeResourcesFit', 1],
      ['DotProduct', 2],
    ]);
    expect(() =>
      profileFromInput(cfg({ pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { resources: [{ name: 'cpu', weight: 101 }] } } }] }), 'scheduler'),
    ).toThrow(new InputError('scheduler.profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight: must be an integer in (0, 100], got 101'));
    // problems are named where the user wrote them, not by Slipway's internal plugin list
    expect(() => profileFromInput(cfg({ plugins: { score: { enabled: [{ name: 'ImageLocality' }, { name: 'NodeResourcesFitt', weight: 2 }] } } }), 'scheduler')).toThrow(
      /^scheduler\.profiles\[0\]\.plugins\.score\.enabled\[1\]\.name: unknown plugin "NodeResourcesFitt"/,
    );
    expect(() => profileFromInput(cfg({ plugins: { scoring: {} } }), 'scheduler')).toThrow('scheduler.profiles[0].plugins.scoring: unknown extension point');
  });
});
