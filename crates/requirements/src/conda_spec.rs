//! conda match specs translated to PEP 440.
