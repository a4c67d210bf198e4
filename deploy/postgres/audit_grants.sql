-- Tezuo audit log: the API's database role may append to the log and read it, never rewrite it.
--
-- Run as the owner of the tables (the role that runs `tezuo migrate`), after every migration:
--     psql "$ADMIN_DATABASE_URL" -v app_role=tezuo_app -f deploy/postgres/audit_grants.sql
-- The API must connect as app_role, which must not own the tables (an owner can grant itself
-- anything back) and must not be a superuser. See docs/SECURITY.md, "Audit log".

\set ON_ERROR_STOP on

-- History cannot be edited, deleted or emptied by the application.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries, audit_nodes, audit_tree_heads FROM :"app_role";
REVOKE DELETE, TRUNCATE ON audit_log_head FROM :"app_role";
REVOKE ALL ON audit_entries, audit_nodes, audit_tree_heads, audit_log_head FROM PUBLIC;

-- What appending needs: new leaves, new subtree hashes, new signed heads, and moving the head row
-- (a cache of the next index and the tree's right edge that `tezuo audit verify` recomputes).
GRANT SELECT, INSERT ON audit_entries, audit_nodes, audit_tree_heads TO :"app_role";
GRANT SELECT, INSERT, UPDATE ON audit_log_head TO :"app_role";
GRANT USAGE, SELECT ON SEQUENCE audit_tree_heads_id_seq TO :"app_role";
