"""Pure core: records, the rule catalogue and findings. Nothing here touches files or Excel."""
