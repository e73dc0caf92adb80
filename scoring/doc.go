// Package scoring computes the Fintech Hub Index (FHI) from a table of raw indicators: pure
// computation on gonum types, no I/O beyond parsing []byte and io.Reader inputs.
//
// # Model
//
// A Framework (ParseFramework; the FHI's is data/framework.yaml) is a tree: the root ("total"),
// level-1 perspectives (industry, experience, ecosystem), level-2 groups and level-3 indicators.
// Score follows the report's method (FHI 2017, "03 计算方法"):
//
//  1. Standardise every indicator across the units to [0, 100] — min-max after direction by
//     default (cost indicators inverted), or z-score, percentile rank or goalposts (Standardise).
//     Missing cells and constant columns follow each indicator's declared rule and are reported
//     (Result.Imputed, Result.Constant, Result.Dropped); nothing is silently NaN. Optional
//     transforms: log, log1p, or winsorising while |skew| > 2 and kurtosis > 3.5 (Winsorise).
//  2. Weight: level-1 and level-2 groups by AHP (AHP: the principal eigenvector of a pairwise
//     matrix, with λmax, CI and CR against Saaty's random index; CR ≥ 0.10 is an
//     *InconsistencyError). The report's "AHP based on learned scoring rules" is modelled by
//     experts' 1–9 importance scores turned into pairwise judgments by RuleDifference
//     (a_ij = 1 + k(s_i − s_j) when s_i ≥ s_j, its reciprocal otherwise, clamped to [1/9, 9]),
//     several experts combined element-wise by geometric mean. Level-3 indicators inside each
//     level-2 group are weighted by PCA (PCAWeights: the Nicoletti et al. 2000 recipe of the
//     OECD/JRC Handbook §6.1 — eigenvalue > 1, varimax, squared scaled loadings).
//  3. Aggregate by weighted arithmetic mean up the tree (geometric optional), so every sub-index
//     is on [0, 100]; rank every node with competition ranking ("1224") on scores rounded to 1e-9.
//
// # Pruning
//
// The pipeline often provides only some indicators. Score scores what is present: framework
// indicators without a column are listed in Result.Missing and dropped, groups left without
// children are dropped, and sibling weights are renormalised — AHP on the sub-matrix of the
// present children, fixed weights rescaled, PCA and equal weights over what is present. A missing
// indicator is never treated as zero.
//
// # Uncertainty
//
// With Options.MonteCarloDraws > 0, Score perturbs AHP judgments by one Saaty step, switches PCA
// for equal weights and the normalisation method, and reports per unit the median rank and its
// 5–95% interval and per weight its one-at-a-time importance (Sensitivity).
//
// # Determinism
//
// Same inputs and seed give identical results: iteration follows framework and input order, never
// map order, and each Monte Carlo draw has its own seeded random stream.
package scoring
