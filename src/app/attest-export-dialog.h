/* attest-export-dialog.h: "Export Evidence": which confirmed matches (all, one source, a time
 * range of one source), into which folder, under whose name; runs the export in a thread with
 * a spinner. A failure is shown in the dialog (nothing is recorded as exported then, see
 * attest-exporter.h); success emits "exported" and closes the dialog. */
#pragma once

#include <adwaita.h>

#include "app/attest-settings.h"
#include "review/attest-exporter.h"
#include "store/attest-store.h"

G_BEGIN_DECLS

typedef enum
{
  ATTEST_EXPORT_SCOPE_ALL,
  ATTEST_EXPORT_SCOPE_SOURCE,
  ATTEST_EXPORT_SCOPE_TIME_RANGE,
} AttestExportScope;

#define ATTEST_TYPE_EXPORT_DIALOG (attest_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AttestExportDialog, attest_export_dialog, ATTEST, EXPORT_DIALOG, AdwWindow)

/* current_source_uri (may be NULL): the video on screen; preselected when it has matches.
 * The reviewer name is read from settings, and saved there when it was blank. */
AttestExportDialog *attest_export_dialog_new        (GtkWindow         *parent,
                                                     AttestStore       *store,
                                                     AttestSettings    *settings,
                                                     const char        *current_source_uri);

void                attest_export_dialog_set_folder (AttestExportDialog *self,
                                                     GFile              *folder);
GFile              *attest_export_dialog_get_folder (AttestExportDialog *self);
void                attest_export_dialog_set_scope  (AttestExportDialog *self,
                                                     AttestExportScope   scope);
/* Seconds into the source, for ATTEST_EXPORT_SCOPE_TIME_RANGE. */
void                attest_export_dialog_set_range  (AttestExportDialog *self,
                                                     double              from_s,
                                                     double              to_s);
/* What the Export button does (when it is enabled). */
void                attest_export_dialog_export     (AttestExportDialog *self);

/* TRUE while the sources are being read or the export runs. */
gboolean            attest_export_dialog_get_busy   (AttestExportDialog *self);
/* The error shown in the dialog, NULL when none. */
const char         *attest_export_dialog_get_error  (AttestExportDialog *self);

/* Signal "exported" (AttestExportResult *result, owned by the dialog for the emission). */

G_END_DECLS
