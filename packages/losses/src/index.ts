/**
 * @packageDocumentation
 * Contrastive losses: NT-Xent, SupCon (L_out, L_in), InfoNCE with external negatives
 */
export {};
