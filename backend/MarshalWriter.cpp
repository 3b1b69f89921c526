// Implemented by the marshal work in progress.
