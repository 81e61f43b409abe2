"""Model pipeline for the liability extractor: dataset, LoRA fine-tuning, GGUF export, parity checks."""
