"""The resident's world and the case domain: catalogue, filing, cases, My pages and case handling."""
