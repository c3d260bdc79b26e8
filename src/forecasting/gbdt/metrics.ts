/** Area under the ROC curve with tied scores counted half (the Mann-Whitney statistic) */
export function auc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let pos = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]!] === score[order[i]!]) j++;
    const avgRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Share of rows where (score >= 0.5) matches the 0/1 label */
export function accuracy(y: ArrayLike<number>, prob: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if ((prob[i]! >= 0.5 ? 1 : 0) === y[i]) ok++;
  return y.length === 0 ? Number.NaN : ok / y.length;
}
