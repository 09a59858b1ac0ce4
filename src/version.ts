/** Recorded in every trace, so a replay can tell which build produced it. */
export const SLIPWAY_VERSION = '0.1.0';
