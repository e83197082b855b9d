"""Career typologies (Ranieri et al. 2018) as structured, checkable, exchangeable data."""
