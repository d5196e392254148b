/* attest-enrol-dialog-private.h: accessors for tests; not for other code. */
#pragma once

#include "app/attest-enrol-dialog.h"

G_BEGIN_DECLS

/* TRUE once the face has been measured (crop and quality shown). */
gboolean      _attest_enrol_dialog_get_measured      (AttestEnrolDialog *self);
/* TRUE while measuring or enrolling. */
gboolean      _attest_enrol_dialog_get_busy          (AttestEnrolDialog *self);
/* The quality line shown under the crop, and the error shown in the dialog ("" none). */
const char   *_attest_enrol_dialog_get_quality_text  (AttestEnrolDialog *self);
const char   *_attest_enrol_dialog_get_message       (AttestEnrolDialog *self);
/* The face crop shown (PNG), NULL before it is measured. */
GBytes       *_attest_enrol_dialog_get_crop_png      (AttestEnrolDialog *self);
AdwComboRow  *_attest_enrol_dialog_get_identity_row  (AttestEnrolDialog *self);
GtkEditable  *_attest_enrol_dialog_get_name_row      (AttestEnrolDialog *self);
GtkEditable  *_attest_enrol_dialog_get_basis_row     (AttestEnrolDialog *self);
GtkEditable  *_attest_enrol_dialog_get_reviewer_row  (AttestEnrolDialog *self);

G_END_DECLS
