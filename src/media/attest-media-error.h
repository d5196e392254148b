/* attest-media-error.h: the error domain of everything in src/media that reads a video or an
 * image (the player, the frame reader). Messages are fit for a toast and name the file, never
 * a URI ("“x.mp4” is not a video file"). Callers above the media layer (the scanner, the CLI)
 * include this, not the player's header. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ATTEST_MEDIA_ERROR (attest_media_error_quark ())

typedef enum
{
  ATTEST_MEDIA_ERROR_NOT_FOUND,    /* no such file */
  ATTEST_MEDIA_ERROR_NOT_VIDEO,    /* not a media file, or audio only */
  ATTEST_MEDIA_ERROR_STILL_IMAGE,  /* an image where a video was expected */
  ATTEST_MEDIA_ERROR_UNPLAYABLE,   /* truncated, corrupt, missing decoder */
  ATTEST_MEDIA_ERROR_NO_CAMERA,    /* no V4L2 device, or it cannot be opened */
  ATTEST_MEDIA_ERROR_FAILED,
} AttestMediaError;

GQuark attest_media_error_quark (void);

G_END_DECLS
