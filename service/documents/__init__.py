"""Official documents (公文): naming decisions, notices, rosters and plaque lists in GB/T 9704 format."""
