/* attest-application.h: the GNOME app: options, models and gallery loading, app actions. */
#pragma once

#include <adwaita.h>

#include "app/attest-settings.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_APPLICATION (attest_application_get_type ())
G_DECLARE_FINAL_TYPE (AttestApplication, attest_application, ATTEST, APPLICATION, AdwApplication)

AttestApplication *attest_application_new          (void);

AttestSettings    *attest_application_get_settings (AttestApplication *self);
/* NULL until the models have loaded, or when they cannot be. */
AttestVision      *attest_application_get_vision   (AttestApplication *self);
/* NULL until the gallery has opened, or when it cannot be. */
AttestStore       *attest_application_get_store    (AttestApplication *self);

G_END_DECLS
