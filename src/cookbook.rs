//! Complete programs for common tasks, each also in `examples/`.
