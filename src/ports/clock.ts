/** Time comes only from a Clock, so every run replays exactly */
export interface Clock {
  /** epoch milliseconds, UTC */
  now(): number;
}
