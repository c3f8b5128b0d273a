/**
 * Hyperbolic geometry in the Lorentz model (curvature -c), HySAC/MERU style.
 * Rule: inputs and outputs are space components x in R^D; the time component is sqrt(1/c + |x|^2).
 */
export * from './lorentz';
export * from './entailment';
export * from './traverse';
export * from './nearest-in-cone';
export * from './principal-axes';
