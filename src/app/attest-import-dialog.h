/* attest-import-dialog.h: imports photos into the gallery with progress, a Cancel button and
 * the list of skipped files with their reasons.
 *
 * Either a folder with one sub-folder per person (DIR/<name>/photos) or photos the reviewer
 * picked for one person. The basis (and the reviewer's name when Preferences has none) is
 * asked for once before starting; the work is AttestImporter's (see attest-importer.h). */
#pragma once

#include <adwaita.h>

#include "app/attest-settings.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_IMPORT_DIALOG (attest_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AttestImportDialog, attest_import_dialog, ATTEST, IMPORT_DIALOG, AdwWindow)

/* vision is not owned: it must outlive the dialog. */
AttestImportDialog *attest_import_dialog_new_for_folder (GtkWindow      *parent,
                                                         AttestStore    *store,
                                                         AttestVision   *vision,
                                                         AttestSettings *settings,
                                                         GFile          *folder);
AttestImportDialog *attest_import_dialog_new_for_files  (GtkWindow      *parent,
                                                         AttestStore    *store,
                                                         AttestVision   *vision,
                                                         AttestSettings *settings,
                                                         GFile         **files,
                                                         guint           n_files);

/* Signal "finished" (guint n_enrolled, guint n_skipped): the import has ended (done,
 * cancelled or failed); whatever it enrolled is in the gallery. */

G_END_DECLS
