/* attest-enrol-dialog.h: enrols one face from a video frame into the gallery.
 *
 * Shows the face crop and its quality, asks who it is (an existing person or a new one) and
 * on what basis, then embeds the face off the main thread and enrols it through the store
 * (audited "enrol"). A face that fails the quality gate is refused with the reason; nothing
 * is written unless the reviewer presses Enrol and the store accepts. */
#pragma once

#include <adwaita.h>

#include "app/attest-settings.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_ENROL_DIALOG (attest_enrol_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AttestEnrolDialog, attest_enrol_dialog, ATTEST, ENROL_DIALOG, AdwWindow)

/* store, vision and settings are required; vision is not owned (it must outlive the
 * dialog). */
AttestEnrolDialog *attest_enrol_dialog_new      (GtkWindow       *parent,
                                                 AttestStore     *store,
                                                 AttestVision    *vision,
                                                 AttestSettings  *settings);

/* The face to enrol: `frame` is the frame on screen, `box` the face in its pixels
 * (hand_drawn: drawn by the reviewer, not found by the detector). source_uri: the video
 * (NULL for a camera: no file to hash); source_ms: the frame's time in it (-1: none).
 * Measures the face off the main thread; the dialog shows the crop when done. */
void               attest_enrol_dialog_set_face (AttestEnrolDialog *self,
                                                 GdkTexture        *frame,
                                                 const AttestBox   *box,
                                                 gboolean           hand_drawn,
                                                 const char        *source_uri,
                                                 gint64             source_ms);

/* The person to offer first under "Enrol As" (the face's suggestion); -1: a new person. */
void               attest_enrol_dialog_propose_identity (AttestEnrolDialog *self,
                                                         gint64             identity_id);

/* Signal "enrolled" (gint64 face_id, const char *identity_name): the face is in the
 * gallery; the dialog closes itself after emitting it. */

G_END_DECLS
