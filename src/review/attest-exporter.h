/* attest-exporter.h: writes the evidence of confirmed matches to a folder.
 *
 * Files written (each replaced when it exists): matches.csv (RFC 4180), matches.json,
 * match-<id>-probe.png (only when the store holds a probe crop for the match: schema v1 keeps
 * none, a review item's probe_png when the store has them), match-<id>-gallery.png (the matched
 * gallery face's thumbnail, else the identity's first face with one), report.html
 * (self-contained, images as data: URIs, one printable page per match) and audit.jsonl (every
 * audit entry up to the export, with prev_hash and hash, so a reader can verify the chain).
 *
 * Revoked matches (a revoked_at column that is set) are not exported. The target is a new or
 * empty folder, or a previous Attest export (its attest-export.json manifest lists every file
 * there, with size and SHA-256), which is replaced as a whole; a folder of other files is
 * refused. Everything is written to a hidden folder beside the target (0700, files 0600) and
 * swapped in with renames when complete; only then is the export audited (action "export",
 * subject "export", details: folder, count, matches.csv sha256 and the selection). On failure
 * (folder unwritable, disk full, the record refused, ...) nothing is audited, the previous
 * export (or nothing) is there as it was, and the error names the folder.
 *
 * Selection (AttestExportOptions): every standing match, or those of one source, or a time
 * range (source_ms within [from_ms, to_ms], in every source or in the one source), or a given
 * set of match ids; the fields combine (AND). report.html gives each score its meaning: the
 * threshold and, when the gallery is big enough, the estimated false-match rate at that
 * threshold measured on the gallery at export time.
 *
 * Evidence comes only from an intact record: the audit chain must verify and every match
 * must say what its confirmation says (attest_store_verify_matches); otherwise nothing is
 * written and the error (ATTEST_EXPORTER_ERROR_TAMPERED) names the entry or the match. */
#pragma once

#include <gio/gio.h>

#include "store/attest-store.h"

G_BEGIN_DECLS

#define ATTEST_EXPORTER_ERROR (attest_exporter_error_quark ())

typedef enum
{
  ATTEST_EXPORTER_ERROR_TAMPERED,  /* the audit chain is broken, or a match differs from its
                                    * confirmation: nothing exported */
} AttestExporterError;

GQuark              attest_exporter_error_quark (void);

typedef struct
{
  char      *folder;       /* absolute path */
  guint      n_matches;
  GPtrArray *files;        /* basenames written, char* */
  char      *csv_sha256;
  gint64     audit_id;     /* the "export" audit entry */
} AttestExportResult;

void                attest_export_result_free (AttestExportResult *result);

/* What to export and who exports. Only read; the caller keeps ownership. */
typedef struct
{
  const char   *actor;          /* who exports (required) */
  const char   *source_sha256;  /* NULL: every source */
  gint64        from_ms;        /* -1: from the start of each source */
  gint64        to_ms;          /* -1: to the end (inclusive) */
  const gint64 *match_ids;      /* NULL: every match the other fields select */
  guint         n_match_ids;
} AttestExportOptions;

#define ATTEST_EXPORT_OPTIONS_INIT { NULL, NULL, -1, -1, NULL, 0 }

AttestExportResult *attest_exporter_export_full        (AttestStore               *store,
                                                        GFile                     *dir,
                                                        const AttestExportOptions *options,
                                                        GError                   **error);
/* Runs attest_exporter_export_full in a thread; finish with attest_exporter_export_finish. */
void                attest_exporter_export_full_async  (AttestStore               *store,
                                                        GFile                     *dir,
                                                        const AttestExportOptions *options,
                                                        GCancellable              *cancellable,
                                                        GAsyncReadyCallback        callback,
                                                        gpointer                   user_data);

/* Thin wrappers: source_sha256 NULL: every source. actor: who exports (required). */
AttestExportResult *attest_exporter_export        (AttestStore         *store,
                                                   GFile               *dir,
                                                   const char          *source_sha256,
                                                   const char          *actor,
                                                   GError             **error);
void                attest_exporter_export_async  (AttestStore         *store,
                                                   GFile               *dir,
                                                   const char          *source_sha256,
                                                   const char          *actor,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
AttestExportResult *attest_exporter_export_finish (GAsyncResult        *result,
                                                   GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestExportResult, attest_export_result_free)

G_END_DECLS
