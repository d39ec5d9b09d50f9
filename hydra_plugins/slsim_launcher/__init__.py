"""slsim's Hydra launchers (a Hydra plugin: launchers must live in ``hydra_plugins``)."""
