"""Rules every feature obeys: who may see what, the audit, and checks on what people type."""
