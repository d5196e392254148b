/* attest-recorder.h: records a network camera (RTSP, or HTTP MJPEG) to segment files while it
 * is watched, without re-encoding: the stream's own H.264 (or JPEG) frames go into Matroska
 * files of at most a set length (cut at a key frame), each closed file reported at once so it
 * can be hashed and scanned like any opened file.
 *
 * This is the one place Attest talks to the network: only to the address the user typed, with
 * the source elements named here (rtspsrc, souphttpsrc), never autoplugged ones. The password
 * is never put in a message, a file name or the log: messages name the host.
 *
 * Signals run on the thread-default main context of the thread that called
 * attest_recorder_start(). */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_RECORDER (attest_recorder_get_type ())
G_DECLARE_FINAL_TYPE (AttestRecorder, attest_recorder, ATTEST, RECORDER, GObject)

/* uri: rtsp://, rtsps://, http:// or https:// (a user and password in it are used and never
 * shown); folder: where the segments go (made if needed); prefix: the start of their names
 * ("front-door" → front-door-20261205T131500Z-00001.mkv); segment_length: how long each
 * segment is at most, give or take a key-frame interval. NULL with ATTEST_MEDIA_ERROR_FAILED
 * for an address that is not such a URL. */
AttestRecorder *attest_recorder_new              (const char      *uri,
                                                  const char      *folder,
                                                  const char      *prefix,
                                                  GstClockTime     segment_length,
                                                  GError         **error);
/* Credentials kept apart from the address (e.g. from the keyring): they override the URL's. */
void            attest_recorder_set_credentials  (AttestRecorder  *self,
                                                  const char      *user,
                                                  const char      *password);
/* The free space below which the recording stops, with a message, before the disk fills
 * (default 512 MiB): checked at each new segment. */
void            attest_recorder_set_min_free     (AttestRecorder  *self,
                                                  guint64          bytes);
/* Connects and records. A first connection that fails comes later as "failed" (GError*): a
 * refused connection, a wrong address, wrong credentials, a stream with no video; each
 * message names the host. A stream lost once recorded is "dropped", and tried again. */
void            attest_recorder_start            (AttestRecorder  *self);
/* Ends the recording: the segment being written is closed (reported as "segment-closed"),
 * then "stopped". Safe to call twice, or after a failure. */
void            attest_recorder_stop             (AttestRecorder  *self);
/* TRUE from start until stopped or failed. */
gboolean        attest_recorder_get_recording    (AttestRecorder  *self);
/* "host:port" as messages name it (no user, no password). */
const char     *attest_recorder_get_display_name (AttestRecorder  *self);

/* Signals:
 * "segment-closed" (const char *path, guint64 start_ns, guint64 duration_ns): a segment file
 *   is complete on disk; start_ns is its start in the recording's running time.
 * "failed" (GError *error): the recording stopped on an error; what was closed stays.
 * "stopped": the recording ended (after stop, or after "failed").
 * "dropped" (GError *why, guint retry_in_s): the stream was lost after it had been recorded
 *   (the server went away, the network was cut). The segment being written is reported
 *   closed (cut where the stream stopped; a later segment starts after the gap), and the
 *   recorder reconnects in retry_in_s seconds, waiting longer after each failed try (up to
 *   30 s), until it is stopped.
 * "reconnected": recording again after a drop. */

G_END_DECLS
