/* attest-settings.h: the one place the app reads and writes its GSettings.
 * Keys are exposed as properties so widgets bind to them and tests can hand in their own. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_SETTINGS (attest_settings_get_type ())
G_DECLARE_FINAL_TYPE (AttestSettings, attest_settings, ATTEST, SETTINGS, GObject)

AttestSettings *attest_settings_new                  (void);

double          attest_settings_get_match_threshold  (AttestSettings *self);
void            attest_settings_set_match_threshold  (AttestSettings *self,
                                                      double          threshold);
const char     *attest_settings_get_reviewer_name    (AttestSettings *self);
void            attest_settings_set_reviewer_name    (AttestSettings *self,
                                                      const char     *name);
/* URI of a folder, or "" when none was saved. */
const char     *attest_settings_get_last_folder      (AttestSettings *self);
void            attest_settings_set_last_folder      (AttestSettings *self,
                                                      const char     *uri);

/* Blind review: a review item's score stays hidden until the reviewer has decided. */
gboolean        attest_settings_get_blind_review     (AttestSettings *self);
void            attest_settings_set_blind_review     (AttestSettings *self,
                                                      gboolean        blind);

void            attest_settings_get_window_state     (AttestSettings *self,
                                                      int            *width,
                                                      int            *height,
                                                      gboolean       *maximized);
void            attest_settings_set_window_state     (AttestSettings *self,
                                                      int             width,
                                                      int             height,
                                                      gboolean        maximized);

G_END_DECLS
