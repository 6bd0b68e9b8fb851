/**
 * @packageDocumentation
 * Projection heads g(.): linear, SimCLR v1 MLP, SimCLR v2 MLP with BatchNorm, predictor
 */
export {};
