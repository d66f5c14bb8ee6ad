#include "grade/guests/hostile.h"






