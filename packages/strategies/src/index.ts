/**
 * @packageDocumentation
 * SimCLR, SupCon, MoCo v2, InstDisc and compose() for new mixes
 */
export {};
