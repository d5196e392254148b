/* attest-export-check.h: checking an export folder against itself, without the database.
 *
 * An export (attest-exporter.h) holds attest-export.json, the manifest: every file's name,
 * size and SHA-256, the audit head the export ends at (entry count and hash) and the public
 * Ed25519 key of the installation that made it; and attest-export.sig, the base64 Ed25519
 * signature of the manifest's exact bytes. The check:
 *  - the signature verifies against the manifest's key, and the key id is that key's;
 *  - every listed file is there (a regular file, not a link) with its size and SHA-256, and
 *    the folder holds nothing else;
 *  - audit.jsonl chains from entry 1 to the manifest's head: entries shown in full hash to
 *    their "hash" by the audit recipe (attest-store-audit.c), withheld ones link through
 *    their content hash (keyed entries; an unkeyed withheld entry is taken on its hash);
 *  - every match of matches.json has its confirmation in full in audit.jsonl, saying the
 *    same reviewer, score, threshold, rationale, source and name.
 * Each difference is one problem naming the file, entry or match. Any thread. */
#pragma once

#include <glib.h>

#include "store/attest-key.h"

G_BEGIN_DECLS

#define ATTEST_EXPORT_MANIFEST_NAME "attest-export.json"
#define ATTEST_EXPORT_SIGNATURE_NAME "attest-export.sig"
#define ATTEST_EXPORT_MANIFEST_FORMAT "attest-export"
#define ATTEST_EXPORT_MANIFEST_VERSION 2

typedef struct
{
  gboolean   intact;            /* no problem found */
  GPtrArray *problems;          /* char*, one sentence each */
  guint      n_files;           /* files the manifest lists */
  guint      n_entries;         /* audit entries in audit.jsonl */
  guint      n_withheld;        /* of which shown as hashes only */
  guint      n_matches;         /* matches in matches.json */
  char      *key_id;            /* the key the manifest names */
  char      *head;              /* the audit head it names */
  gboolean   this_installation; /* signed by the key given to the check */
} AttestExportCheck;

/* NULL with error only when `folder` is not an Attest export at all (no readable manifest);
 * everything else is a problem in the result. `key` (may be NULL) is this installation's. */
AttestExportCheck *attest_export_check      (const char         *folder,
                                             AttestKey          *key,
                                             GError            **error);
void               attest_export_check_free (AttestExportCheck  *check);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestExportCheck, attest_export_check_free)

G_END_DECLS
