import httpx


async def test_openapi_documents_the_portability_routes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    imports = spec["paths"]["/api/v1/imports"]["post"]
    assert imports["tags"] == ["portability"]
    assert imports["summary"]
    body = imports["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    schema_name = body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = spec["components"]["schemas"][schema_name]["properties"]
    assert set(fields) == {"file", "source", "unit", "timezone", "dry_run", "skip_invalid_rows"}
    assert {"200", "201", "401", "409", "413", "422"} <= set(imports["responses"])
    examples = imports["responses"]["422"]["content"]["application/problem+json"]["examples"]
    assert {"import_invalid", "import_unrecognized", "validation_error"} <= set(examples)

    export = spec["paths"]["/api/v1/export"]["get"]
    assert export["parameters"][0]["name"] == "format"
    assert {"application/json", "text/csv"} <= set(export["responses"]["200"]["content"])
