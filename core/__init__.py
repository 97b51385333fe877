"""Small shared pieces every app may use: domain errors and money helpers. No models."""
