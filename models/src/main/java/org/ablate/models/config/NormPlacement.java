package org.ablate.models.config;

/** Where a block normalises: before each sub-layer (GPT-2, LLaMA) or after its residual sum (BERT, Marian). */
public enum NormPlacement { PRE, POST }
