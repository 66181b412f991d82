"""Account administration: validation of roles, areas and passwords; scope of the admin."""

from __future__ import annotations


def new_user(**overrides) -> dict:
    return {
        "username": "new-worker",
        "display_name": "新网格员",
        "password": "long-enough-pw",
        "role": "grid_worker",
        "scope_code": "44030400100102",
        "grid_codes": ["44030400100102"],
    } | overrides


async def test_admin_creates_a_grid_worker_who_can_sign_in(client, as_user):
    headers = await as_user("admin")
    created = await client.post("/api/users", json=new_user(), headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["scope_code"] == "44030400100102"
    login = await client.post(
        "/auth/token", data={"username": "new-worker", "password": "long-enough-pw"}
    )
    assert login.status_code == 200


async def test_unknown_role_is_a_422_that_lists_the_roles(client, as_user):
    headers = await as_user("admin")
    response = await client.post("/api/users", json=new_user(role="overlord"), headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_role"
    assert "grid_worker" in response.json()["message"]


async def test_area_code_of_the_wrong_length_or_unknown_is_refused(client, as_user):
    headers = await as_user("admin")
    wrong = await client.post("/api/users", json=new_user(scope_code="44030"), headers=headers)
    assert wrong.status_code == 422 and wrong.json()["details"][0]["field"] == "body.scope_code"
    unknown = await client.post(
        "/api/users", json=new_user(scope_code="440399", grid_codes=[]), headers=headers
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_area"


async def test_grid_outside_the_users_area_and_short_passwords_are_refused(client, as_user):
    headers = await as_user("admin")
    grid = await client.post(
        "/api/users", json=new_user(grid_codes=["44030500100101"]), headers=headers
    )
    assert grid.status_code == 422 and "not a basic grid inside" in grid.json()["message"]
    short = await client.post("/api/users", json=new_user(password="short"), headers=headers)
    assert short.status_code == 422


async def test_taken_username_is_a_conflict(client, as_user):
    headers = await as_user("admin")
    response = await client.post("/api/users", json=new_user(username="worker-a"), headers=headers)
    assert response.status_code == 409


async def test_only_user_managers_may_manage_users(client, as_user):
    headers = await as_user("futian")
    response = await client.post("/api/users", json=new_user(), headers=headers)
    assert response.status_code == 403
    assert "users.manage" in response.json()["message"]
