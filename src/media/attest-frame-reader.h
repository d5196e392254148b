/* attest-frame-reader.h: decodes a video (or an image) frame by frame as fast as the CPU
 * allows, for the CLI, scanning and benchmarks. Not for display. */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "media/attest-media-error.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_FRAME_READER (attest_frame_reader_get_type ())
G_DECLARE_FINAL_TYPE (AttestFrameReader, attest_frame_reader, ATTEST, FRAME_READER, GObject)

/* Opens a path or URI and prerolls, so a bad file fails here with an
 * ATTEST_MEDIA_ERROR_* (see attest-pipeline.h). Blocking. cancellable (may be NULL): a cancel
 * ends the opening, or a later next() waiting for a frame, within 0.2 s with
 * G_IO_ERROR_CANCELLED. */
AttestFrameReader *attest_frame_reader_new          (const char        *path_or_uri,
                                                     GCancellable      *cancellable,
                                                     GError           **error);
/* The next decoded frame as BGR. FALSE with *error unset at the end of the stream. The view
 * stays valid until the next call or the reader is freed. */
gboolean           attest_frame_reader_next         (AttestFrameReader *self,
                                                     AttestImageView   *frame,
                                                     GstClockTime      *pts,
                                                     guint64           *frame_number,
                                                     GError           **error);
GstClockTime       attest_frame_reader_get_duration (AttestFrameReader *self);
/* Frames per second from the caps (0 when unknown). */
double             attest_frame_reader_get_framerate (AttestFrameReader *self);
const char        *attest_frame_reader_get_uri      (AttestFrameReader *self);

G_END_DECLS
