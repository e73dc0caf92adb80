// Package scoring computes the Fintech Hub Index (FHI) — or any composite indicator declared the
// same way — from a table of raw indicators: pure computation on gonum types, no I/O beyond
// parsing []byte and io.Reader inputs.
//
// # Model
//
// A Framework (ParseFramework; the FHI's is data/framework.yaml with its AHP judgements in
// data/ahp_judgements.yaml) is a tree: the root ("total"), level-1 perspectives, level-2 groups
// and level-3 indicators. Score follows the report's method (FHI 2017, "03 计算方法") and the
// toolbox of the OECD/JRC Handbook (2008) and COINr (Becker et al.), step by step:
//
//  1. Denominate: an indicator may be divided by a declared denominator column (per resident,
//     per GDP).
//  2. Screen and impute: units (and indicators) below a data-availability threshold are dropped
//     (Framework.Screen); missing cells follow each indicator's rule — zero, min, mean, median,
//     worst, group-mean or group-median over a unit attribute, reweight (left missing: the group
//     aggregates the available children with renormalised weights), drop-unit or error — and
//     every filled value is recorded (Result.Imputed, UnitValue.Imputed). Nothing is silently NaN.
//  3. Treat: transform log or log1p, or COINr's outlier treatment (Treat: winsorise the most
//     extreme value, ties together, up to winmax, until |skew| < 2 or kurtosis < 3.5, else
//     log_CT), with a log per indicator (Result.Treatments). Constant columns follow their rule.
//  4. Normalise each indicator (Normalise): min-max to [0, 100] by default; z-score (never
//     clamped unless asked), percentile rank, Borda, goalposts, distance to the frontier, to a
//     reference unit or to the leader. Cost indicators are inverted.
//  5. Weight: AHP for the groups so declared (AHP: the principal eigenvector, λmax, CI and CR
//     against Saaty's random index; CR ≥ 0.10 is an *InconsistencyError; several experts'
//     matrices combined by element-wise geometric mean, each checked — CheckJudgments,
//     AHPGroup), with the judgements' provenance: those marked placeholder are reported in
//     Result.Placeholders and every NodeWeight derived from them is marked. PCA (PCAWeightsWith:
//     the Nicoletti recipe of the Handbook §6.1 with a RetainRule, a rotation and a basis),
//     equal or fixed weights for the others.
//  6. Aggregate up the tree (arithmetic by default; geometric, harmonic, generalised, median or
//     Copeland), over each unit's available children; rank every node with competition ranking
//     ("1224") on scores rounded to 1e-9.
//
// # Pruning
//
// The pipeline often provides only some indicators. Score scores what is present: framework
// indicators without a column are listed in Result.Missing and dropped, groups left without
// children are dropped, and sibling weights are renormalised — AHP on the sub-matrix of the
// present children, fixed weights rescaled, PCA and equal weights over what is present. A missing
// indicator is never treated as zero.
//
// # Analysis
//
// Audit correlates every group's children with each other and with the group (flagging negative,
// insignificant and collinear ones) and gives Cronbach's alpha and the PCA variance shares per
// group. With Options.MonteCarloDraws > 0, Score perturbs AHP judgments by one Saaty step,
// switches PCA for equal weights and the normalisation, and reports per unit the median rank and
// its 5–95% interval (Sensitivity). With Options.SobolSamples > 0 it estimates first-order and
// total Sobol' indices of every unit's rank with respect to those choices, the aggregation, the
// treatment and the imputation (SobolResult, SobolIndices: Saltelli 2010).
//
// # Determinism
//
// Same inputs and seed give identical results: iteration follows framework and input order, never
// map order, and every random draw has its own seeded stream.
package scoring
