"""The shop's category tree (商品分类), at most four levels deep.

Every structural change (create, rename, move, reorder, delete) bumps the tree's version item
in its transaction, conditional on the version it read: two changes can never interleave, so
checks like "no cycle" and "no sibling of the same name" hold against the tree actually
written. Product saves do not take part: they only add to a category's ``product_count``
(conditional on the category existing), and deleting a category is conditional on that count
and its ``child_count`` being zero, so a product can never end up in a deleted category.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import Field

from shared import clock
from shared.auth.context import AuthContext
from shared.catalog.events import CategoryCreated, CategoryDeleted, CategoryModified
from shared.catalog.tables import CATALOG_TABLE_ENV, TREE_SK, CatalogItem, CategoryRecord, CategoryTreeRecord, category_sk
from shared.errors import Conflict, NotFound, VersionConflict, field_error
from shared.events.base import changed_fields
from shared.events.outbox import outbox_item
from shared.ids import new_id
from shared.keys import shop_pk
from shared.model import Input, Model
from shared.tx import ConditionsFailed, Writes

MAX_DEPTH = 4
MAX_CHILDREN = 50
T = TypeVar("T")
CategoryName = Field(min_length=1, max_length=20)


class CategoryCreate(Input):
    name: str = CategoryName
    parent_id: str | None = Field(None, max_length=40, description="None: a top-level category")


class CategoryRename(Input):
    name: str = CategoryName
    version: int = Field(ge=1)


class CategoryMove(Input):
    parent_id: str | None = Field(None, max_length=40, description="The new parent (None: top level)")
    position: int | None = Field(None, ge=0, le=MAX_CHILDREN, description="Place among the new siblings (0 = first); last when absent")
    version: int = Field(ge=1)


class CategoryView(Model):
    id: str
    name: str
    parent_id: str | None
    sort: int
    depth: int
    version: int
    product_count: int = Field(description="Products in this category and its sub-categories")
    own_product_count: int = Field(description="Products directly in this category")
    child_count: int


class CategoryNode(CategoryView):
    children: list[CategoryNode] = Field(default_factory=list)


class CategoryTree(Model):
    version: int
    items: list[CategoryNode]


@dataclass
class Tree:
    version: int
    nodes: dict[str, CategoryRecord]

    def children(self, parent_id: str | None) -> list[CategoryRecord]:
        return sorted((c for c in self.nodes.values() if c.parent_id == parent_id), key=lambda c: (c.sort, c.sk))

    def ancestors(self, category_id: str | None) -> list[str]:
        """The category and its ancestors, nearest first (empty for None or an unknown id)."""
        chain: list[str] = []
        while category_id and category_id in self.nodes and len(chain) <= MAX_DEPTH:
            chain.append(category_id)
            category_id = self.nodes[category_id].parent_id
        return chain

    def depth(self, category_id: str | None) -> int:
        return len(self.ancestors(category_id))

    def subtree(self, category_id: str) -> list[str]:
        found, todo = [], [category_id]
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(c.category_id for c in self.children(current))
        return found

    def height(self, category_id: str) -> int:
        below = [self.height(c.category_id) for c in self.children(category_id)]
        return 1 + max(below, default=0)


def load_tree(shop_id: str) -> Tree:
    version, nodes = 0, {}
    for item in CatalogItem.query(shop_pk(shop_id), CatalogItem.sk.startswith("CAT"), consistent_read=True):
        if isinstance(item, CategoryRecord):
            nodes[item.category_id] = item
        elif isinstance(item, CategoryTreeRecord):
            version = int(item.version)
    return Tree(version=version, nodes=nodes)


def tree_view(shop_id: str) -> CategoryTree:
    tree = load_tree(shop_id)

    def node(rec: CategoryRecord, depth: int) -> CategoryNode:
        children = [node(c, depth + 1) for c in tree.children(rec.category_id)]
        return CategoryNode(**_view(rec, depth).model_dump(exclude={"product_count"}),
                            product_count=int(rec.product_count) + sum(c.product_count for c in children),
                            children=children)

    return CategoryTree(version=tree.version, items=[node(c, 1) for c in tree.children(None)])


def _view(rec: CategoryRecord, depth: int, subtree_count: int | None = None) -> CategoryView:
    return CategoryView(id=rec.category_id, name=rec.name, parent_id=rec.parent_id, sort=int(rec.sort), depth=depth,
                        version=int(rec.version), own_product_count=int(rec.product_count),
                        product_count=int(rec.product_count) if subtree_count is None else subtree_count,
                        child_count=int(rec.child_count))


def _snapshot(rec: CategoryRecord) -> dict[str, Any]:
    return {"name": rec.name, "parent_id": rec.parent_id, "sort": int(rec.sort)}


class _TreeChanged(Exception):
    pass


def _serialised(shop_id: str, change: Callable[[Tree], T]) -> T:
    """Run ``change`` against a fresh tree; if another change committed first, read and retry."""
    for _ in range(3):
        try:
            return change(load_tree(shop_id))
        except _TreeChanged:
            continue
    raise Conflict("write_conflict")


def _bump_tree(writes: Writes, shop_id: str, tree: Tree) -> None:
    condition = CategoryTreeRecord.version == tree.version if tree.version else CategoryTreeRecord.pk.does_not_exist()
    writes.put(CategoryTreeRecord(shop_pk(shop_id), TREE_SK, version=tree.version + 1), condition, ("tree",))


def _count_child(writes: Writes, shop_id: str, parent_id: str | None, delta: int) -> None:
    if parent_id:
        writes.update(CategoryRecord(shop_pk(shop_id), category_sk(parent_id)), [CategoryRecord.child_count.add(delta)],
                      CategoryRecord.pk.exists(), ("category", parent_id))


def _commit(writes: Writes) -> None:
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if ("tree",) in exc.labels:
            raise _TreeChanged() from exc
        raise


def _get(tree: Tree, category_id: str) -> CategoryRecord:
    if category_id not in tree.nodes:
        raise NotFound("category_not_found", details={"category_id": category_id})
    return tree.nodes[category_id]


def _check_name(tree: Tree, parent_id: str | None, name: str, itself: str | None = None) -> None:
    if any(c.name.casefold() == name.casefold() and c.category_id != itself for c in tree.children(parent_id)):
        raise Conflict("category_name_taken", details={"field": "name"}, name=name)


def create(ctx: AuthContext, body: CategoryCreate) -> CategoryView:
    def change(tree: Tree) -> CategoryView:
        if body.parent_id and body.parent_id not in tree.nodes:
            raise field_error("parent_id", "unknown_category")
        depth = tree.depth(body.parent_id) + 1
        if depth > MAX_DEPTH:
            raise Conflict("category_too_deep", details={"max": MAX_DEPTH}, max=MAX_DEPTH)
        siblings = tree.children(body.parent_id)
        if len(siblings) >= MAX_CHILDREN:
            raise Conflict("category_limit", details={"max": MAX_CHILDREN}, max=MAX_CHILDREN)
        _check_name(tree, body.parent_id, body.name)
        now = clock.iso()
        rec = CategoryRecord(shop_pk(ctx.shop_id), category_sk(new_id("cat_")), name=body.name, parent_id=body.parent_id,
                             sort=(int(siblings[-1].sort) if siblings else 0) + 10, product_count=0, child_count=0,
                             version=1, created_at=now, updated_at=now)
        writes = Writes()
        writes.put(rec, CategoryRecord.pk.does_not_exist())
        _count_child(writes, ctx.shop_id, body.parent_id, 1)
        _bump_tree(writes, ctx.shop_id, tree)
        writes.put(outbox_item(CATALOG_TABLE_ENV, CategoryCreated(shop_id=ctx.shop_id, actor=ctx.actor,
                                                                  resource_id=rec.category_id, new=_snapshot(rec))))
        _commit(writes)
        return _view(rec, depth)

    return _serialised(ctx.shop_id, change)


def _modify(ctx: AuthContext, tree: Tree, rec: CategoryRecord, expected: int, actions: list[Any], old: dict[str, Any],
            writes: Writes) -> None:
    """Commit a change of ``rec`` (already applied to it in memory) with its event."""
    if int(rec.version) != expected:
        raise VersionConflict(expected=expected, current=int(rec.version))
    new = _snapshot(rec)
    rec.updated_at = clock.iso()
    writes.update(rec, [*actions, CategoryRecord.updated_at.set(rec.updated_at), CategoryRecord.version.add(1)],
                  CategoryRecord.version == expected, ("version",))
    _bump_tree(writes, ctx.shop_id, tree)
    writes.put(outbox_item(CATALOG_TABLE_ENV, CategoryModified(
        shop_id=ctx.shop_id, actor=ctx.actor, resource_id=rec.category_id, old=old, new=new,
        changed=changed_fields(old, new))))
    _commit(writes)
    rec.version = expected + 1


def rename(ctx: AuthContext, category_id: str, body: CategoryRename) -> CategoryView:
    def change(tree: Tree) -> CategoryView:
        rec = _get(tree, category_id)
        _check_name(tree, rec.parent_id, body.name, itself=category_id)
        old = _snapshot(rec)
        if rec.name == body.name and int(rec.version) == body.version:
            return _view(rec, tree.depth(category_id))
        rec.name = body.name
        _modify(ctx, tree, rec, body.version, [CategoryRecord.name.set(body.name)], old, Writes())
        return _view(rec, tree.depth(category_id))

    return _serialised(ctx.shop_id, change)


def move(ctx: AuthContext, category_id: str, body: CategoryMove) -> CategoryView:
    """Move under another parent and/or to another place among the siblings (reorder)."""
    def change(tree: Tree) -> CategoryView:
        rec = _get(tree, category_id)
        parent = body.parent_id
        if parent is not None and parent not in tree.nodes:
            raise field_error("parent_id", "unknown_category")
        if parent is not None and parent in tree.subtree(category_id):
            raise Conflict("category_cycle", details={"field": "parent_id"})
        if tree.depth(parent) + tree.height(category_id) > MAX_DEPTH:
            raise Conflict("category_too_deep", details={"max": MAX_DEPTH}, max=MAX_DEPTH)
        siblings = [c for c in tree.children(parent) if c.category_id != category_id]
        if parent != rec.parent_id:
            _check_name(tree, parent, rec.name)
            if len(siblings) >= MAX_CHILDREN:
                raise Conflict("category_limit", details={"max": MAX_CHILDREN}, max=MAX_CHILDREN)
        position = len(siblings) if body.position is None else min(body.position, len(siblings))
        ordered = [*siblings[:position], rec, *siblings[position:]]
        old = _snapshot(rec)
        writes = Writes()
        for i, sibling in enumerate(ordered):
            sort = (i + 1) * 10
            if sibling is rec:
                rec.sort = sort
            elif int(sibling.sort) != sort:
                writes.update(sibling, [CategoryRecord.sort.set(sort)], CategoryRecord.pk.exists(),
                              ("category", sibling.category_id))
        if parent != rec.parent_id:
            _count_child(writes, ctx.shop_id, rec.parent_id, -1)
            _count_child(writes, ctx.shop_id, parent, 1)
        rec.parent_id = parent
        if _snapshot(rec) == old:
            return _view(rec, tree.depth(category_id))
        actions = [CategoryRecord.sort.set(rec.sort),
                   CategoryRecord.parent_id.set(parent) if parent else CategoryRecord.parent_id.remove()]
        _modify(ctx, tree, rec, body.version, actions, old, writes)
        return _view(rec, tree.depth(parent) + 1)

    return _serialised(ctx.shop_id, change)


def delete(ctx: AuthContext, category_id: str) -> None:
    def change(tree: Tree) -> None:
        rec = _get(tree, category_id)
        if int(rec.product_count) or int(rec.child_count):
            _in_use(rec)
        writes = Writes()
        writes.delete(rec, (CategoryRecord.product_count == 0) & (CategoryRecord.child_count == 0),
                      ("category", category_id))
        _count_child(writes, ctx.shop_id, rec.parent_id, -1)
        _bump_tree(writes, ctx.shop_id, tree)
        writes.put(outbox_item(CATALOG_TABLE_ENV, CategoryDeleted(shop_id=ctx.shop_id, actor=ctx.actor,
                                                                  resource_id=category_id, old=_snapshot(rec))))
        try:
            _commit(writes)
        except ConditionsFailed as exc:
            if ("category", category_id) in exc.labels:
                raise _TreeChanged() from exc  # a product arrived meanwhile: re-read and refuse
            raise

    _serialised(ctx.shop_id, change)


def _in_use(rec: CategoryRecord) -> None:
    products, children = int(rec.product_count), int(rec.child_count)
    raise Conflict("category_in_use", details={"products": products, "children": children},
                   products=products, children=children)
