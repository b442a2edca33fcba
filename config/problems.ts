// What every check of a config reports: a problem at a dotted path (relative to the block checked).
export interface ConfigProblem {
  path: string;
  message: string;
}
