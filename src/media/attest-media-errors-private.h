/* attest-media-errors-private.h: one place that turns file checks, discoverer results and
 * GStreamer errors into ATTEST_MEDIA_ERROR_* with messages fit for a toast. Shared by
 * AttestPipeline and AttestFrameReader so both say the same thing about the same file. */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

G_BEGIN_DECLS

/* The name shown to the user: the file's base name (UTF-8), never a URI. */
char    *_attest_media_display_name        (GFile               *file);

/* Cheap checks before GStreamer sees the file: exists, is a regular file, not empty, and an
 * MP4/MOV has its index. */
gboolean _attest_media_check_file          (GFile               *file,
                                            const char          *display_name,
                                            GError             **error);

/* Runs GstDiscoverer (blocking; call off the main thread). allow_images: a still image is
 * accepted (the frame reader decodes it as one frame). A cancel ends it within 0.1 s with
 * G_IO_ERROR_CANCELLED. */
gboolean _attest_media_discover            (const char          *uri,
                                            const char          *display_name,
                                            gboolean             allow_images,
                                            GCancellable        *cancellable,
                                            GError             **error);

/* Blocking. Decodes a frame near the end: a file cut short (e.g. a partial download whose
 * index is at the front) plays its first part and then simply stops, so it is caught here
 * instead. Images and files of unknown duration pass. */
gboolean _attest_media_check_complete      (const char          *uri,
                                            const char          *display_name,
                                            GCancellable        *cancellable,
                                            GError             **error);

/* gst_bus_timed_pop_filtered() that looks at `cancellable` every 0.1 s: NULL on timeout or
 * once cancelled (the caller tells which). */
GstMessage *_attest_media_bus_wait         (GstBus              *bus,
                                            GstClockTime         timeout,
                                            GstMessageType       types,
                                            GCancellable        *cancellable);

/* The message for a stream that ended at `at` although it claims to last `duration`. */
GError  *_attest_media_error_ends_early    (const char          *display_name,
                                            GstClockTime         at);

/* A GStreamer error from the bus, said for a user. device: the camera, or NULL for a file. */
GError  *_attest_media_error_from_gst      (const GError        *gst_error,
                                            const char          *display_name,
                                            const char          *device);

/* ---- attest-media-local.c ---- */

/* Removes the demuxers that fetch from the network (adaptive streaming playlists, SDP) from
 * autoplugging, once per process. Called before any pipeline or discoverer is made. */
void     _attest_media_local_only          (void);
/* Whether a missing-plugin description or caps text names what those demuxers read. */
gboolean _attest_media_is_network_caps     (const char          *text);
/* Whether a pipeline's source element reads this machine only (file, camera, application). */
gboolean _attest_media_source_is_local     (GstElement          *source);
/* "“%s” is a playlist that points to the network: Attest opens only local files…" */
GError  *_attest_media_error_network       (const char          *display_name);

/* ---- network cameras (attest-recorder.c) ---- */

/* A camera address: rtsp://, rtsps://, http:// or https:// with a host. *location gets it
 * without user and password, *user and *password what it held (or NULL), *display_name
 * "host[:port]" for messages, *rtsp whether it is RTSP. FALSE with ATTEST_MEDIA_ERROR_FAILED
 * and a message saying what an address looks like. */
gboolean _attest_media_parse_camera_url    (const char          *uri,
                                            char               **location,
                                            char               **user,
                                            char               **password,
                                            char               **display_name,
                                            gboolean            *rtsp,
                                            GError             **error);
/* A GStreamer error from a network camera said for a user: refused password, no such
 * stream, unreachable, no video. Names the host, never the password. */
GError  *_attest_media_error_from_camera   (const GError        *gst_error,
                                            const char          *debug,
                                            const char          *host);

G_END_DECLS
