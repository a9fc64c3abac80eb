"""Running ShopDesk: the local cloud, the provisioner, demo data and deploy helpers."""
