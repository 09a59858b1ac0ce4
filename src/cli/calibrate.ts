/** `slipway calibrate --backend docker [--host H] [--image I] [--samples N] [--network N] [--out FILE]` */
import { calibrateDocker, calibrationYaml } from '../../backends/docker/calibrate.js';
import { InputError } from '../core/errors.js';
import { EXIT_OK } from './errors.js';
import { prepareOutput, writeOutput } from './output.js';

export interface CalibrateFlags {
  readonly backend?: string;
  readonly host?: string;
  readonly image?: string;
  readonly samples?: string;
  readonly network?: string;
  readonly out?: string;
}

export async function runCalibrate(flags: CalibrateFlags): Promise<number> {
  if (flags.backend !== 'docker') throw new InputError(`--backend: calibrate supports docker, got ${JSON.stringify(flags.backend ?? '')}`);
  const samples = Number(flags.samples ?? '20');
  if (!Number.isInteger(samples) || samples < 2 || samples > 1000) throw new InputError(`--samples: expected an integer from 2 to 1000, got "${flags.samples}"`);
  const host = flags.host ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const image = flags.image ?? 'slipway/busybox:test';
  const out = flags.out ?? 'calibration.yaml';
  prepareOutput('--out', out, 'file');
  process.stderr.write(`calibrating ${host} with ${samples} create/start/stop cycles of ${image}...\n`);
  const c = await calibrateDocker({ host, image, samples, ...(flags.network !== undefined ? { network: flags.network } : {}) });
  const yaml = calibrationYaml(c);
  writeOutput(out, yaml);
  process.stdout.write(yaml.split('\n').filter((l) => l.startsWith('#   ')).map((l) => l.slice(4)).join('\n') + `\nwrote ${out}\n`);
  return EXIT_OK;
}
