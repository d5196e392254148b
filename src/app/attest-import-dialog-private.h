/* attest-import-dialog-private.h: accessors for tests; not for other code. */
#pragma once

#include "app/attest-import-dialog.h"

G_BEGIN_DECLS

GtkEditable    *_attest_import_dialog_get_basis_row    (AttestImportDialog *self);
GtkEditable    *_attest_import_dialog_get_name_row     (AttestImportDialog *self);
GtkEditable    *_attest_import_dialog_get_reviewer_row (AttestImportDialog *self);
GtkProgressBar *_attest_import_dialog_get_progress_bar (AttestImportDialog *self);
/* The line above the progress bar: "Importing…", then the summary. */
const char     *_attest_import_dialog_get_status_text  (AttestImportDialog *self);
/* The rows of the skipped-files list (AdwActionRow: file name, reason). */
GtkListBox     *_attest_import_dialog_get_skipped_list (AttestImportDialog *self);
/* A folder import's people (AdwActionRow: folder name; photos and whom they go to), NULL
 * until they are read. */
GtkListBox     *_attest_import_dialog_get_people_list  (AttestImportDialog *self);
gboolean        _attest_import_dialog_get_running      (AttestImportDialog *self);
gboolean        _attest_import_dialog_get_finished     (AttestImportDialog *self);

G_END_DECLS
