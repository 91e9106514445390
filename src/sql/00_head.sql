-- traceaudit install script, built from the pieces in src/sql/ by the Makefile

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION traceaudit" to load this file. \quit
