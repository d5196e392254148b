/* attest-exporter.h: writes the evidence of confirmed matches to a folder.
 *
 * Files written (each replaced when it exists): matches.csv (RFC 4180), matches.json,
 * match-<id>-probe.png (only when the store holds a probe crop for the match: schema v1 keeps
 * none, a review item's probe_png when the store has them), match-<id>-gallery.png (the matched
 * gallery face's thumbnail, else the identity's first face with one), report.html
 * (self-contained, images as data: URIs, one printable page per match) and audit.jsonl (every
 * audit entry up to the export, with prev_hash and hash, so a reader can verify the chain).
 *
 * Revoked matches (a revoked_at column that is set) are not exported. The files are written to
 * a hidden temporary folder inside the target and renamed into place; only when all of them are
 * in place is the export itself audited (action "export", subject "export", details: folder,
 * count, matches.csv sha256). On failure nothing is audited and the error names the folder. */
#pragma once

#include <gio/gio.h>

#include "store/attest-store.h"

G_BEGIN_DECLS

typedef struct
{
  char      *folder;       /* absolute path */
  guint      n_matches;
  GPtrArray *files;        /* basenames written, char* */
  char      *csv_sha256;
  gint64     audit_id;     /* the "export" audit entry */
} AttestExportResult;

void                attest_export_result_free (AttestExportResult *result);

/* source_sha256 NULL: every source. actor: who exports (required). */
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
