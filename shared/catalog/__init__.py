"""The catalog (商品): products and their SKU matrix, categories, on/off shelf, search and the
public storefront reads. Design and costs: docs/catalog.md."""
