-- Databases in different encodings. Every session of a clone speaks one client_encoding (the
-- databases' own when they share one, UTF8 otherwise), so the servers convert text on the way, in
-- binary and text COPY alike, and a character a target cannot hold fails the clone instead of arriving
-- as other characters. A conninfo asking for another client_encoding changes nothing.
\set SHOW_CONTEXT never
CREATE DATABASE clone_utf8 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE clone_utf8_copy ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE clone_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE clone_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE clone_ascii_copy ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c clone_utf8
CREATE TABLE words (id integer PRIMARY KEY, w text);           -- same types everywhere: binary COPY
CREATE TABLE labels (id integer PRIMARY KEY, w varchar(20));   -- text on the targets: text COPY
INSERT INTO words VALUES (1, 'gr' || U&'\00FC' || 'n'), (2, U&'\00E9t\00E9');
INSERT INTO labels SELECT * FROM words;
\c clone_utf8_copy
CREATE TABLE words (id integer PRIMARY KEY, w text);
CREATE TABLE labels (id integer PRIMARY KEY, w text);
\c clone_latin1
CREATE TABLE words (id integer PRIMARY KEY, w text);
CREATE TABLE labels (id integer PRIMARY KEY, w text);
INSERT INTO words VALUES (-1, 'old'); INSERT INTO labels VALUES (-1, 'old');
\c clone_ascii
CREATE TABLE raw_bytes (id integer, b text);
INSERT INTO raw_bytes VALUES (1, E'\xff\xfe not UTF8');
\c clone_ascii_copy
CREATE TABLE raw_bytes (id integer, b text);
\c contrib_regression
SELECT bucardo.add_db('utf8', 'dbname=clone_utf8');
SELECT bucardo.add_db('utf8_latin1_client', 'dbname=clone_utf8 options=''-c client_encoding=LATIN1''');
SELECT bucardo.add_db('utf8_copy', 'dbname=clone_utf8_copy client_encoding=LATIN1');
SELECT bucardo.add_db('latin1', 'dbname=clone_latin1');
SELECT bucardo.add_db('ascii', 'dbname=clone_ascii');
SELECT bucardo.add_db('ascii_copy', 'dbname=clone_ascii_copy');

-- UTF8 into LATIN1: converted (the LATIN1 bytes of grün are 67 72 fc 6e).
SELECT bucardo.clone(tables => 'words, labels', dbs => 'utf8, latin1') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_latin1
SELECT id, encode(convert_to(w, 'LATIN1'), 'hex') AS latin1_bytes FROM words ORDER BY id;
SELECT id, encode(convert_to(w, 'LATIN1'), 'hex') AS latin1_bytes FROM labels ORDER BY id;
\c contrib_regression

-- Sessions told by their conninfo to speak LATIN1 (as options, or as client_encoding) still copy
-- UTF8 into UTF8 unchanged.
SELECT bucardo.clone(tables => 'words, labels', dbs => 'utf8_latin1_client, utf8_copy') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_utf8_copy
SELECT id, encode(convert_to(w, 'UTF8'), 'hex') AS utf8_bytes FROM words ORDER BY id;
SELECT id, encode(convert_to(w, 'UTF8'), 'hex') AS utf8_bytes FROM labels ORDER BY id;

-- A euro sign, which LATIN1 cannot hold: the clone fails, naming the table, and LATIN1 keeps its rows.
\c clone_utf8
INSERT INTO words VALUES (3, 'price in ' || U&'\20AC');
INSERT INTO labels VALUES (3, 'price in ' || U&'\20AC');
\c contrib_regression
SELECT bucardo.clone(tables => 'words', dbs => 'utf8, latin1') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
SELECT bucardo.clone(tables => 'labels', dbs => 'utf8, latin1') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, error FROM bucardo.clone WHERE id = :id;
\c clone_latin1
SELECT count(*) FROM words;
SELECT count(*) FROM labels;

-- Between databases of one encoding nothing is converted: SQL_ASCII bytes travel as they are.
\c contrib_regression
SELECT bucardo.clone(tables => 'raw_bytes', dbs => 'ascii, ascii_copy') AS id \gset
SELECT bucardo.clone_wait(:id, '60 s');
SELECT status, summary, error FROM bucardo.clone WHERE id = :id;
\c clone_ascii_copy
SELECT id, encode(b::bytea, 'hex') AS bytes FROM raw_bytes;
\c contrib_regression
