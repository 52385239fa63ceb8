"""REST API of the registry (人口库, 法人库, divisions, households, grids).

`serializers` only shape data in and out (types, not rules); the views call the services in
`registry.services`, which validate, scope-check and audit. URLs are in `registry.api_urls`.
"""
