#include "attest-vision.h"
