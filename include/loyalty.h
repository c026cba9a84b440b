/*
 * libloyalty - the umbrella header: the only one applications include.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file loyalty.h
 * @brief Includes every public header of libloyalty.
 *
 * @code
 * #include <loyalty.h>
 * @endcode
 */
#ifndef LOYALTY_H
#define LOYALTY_H

#include "loyalty/common.h"
#include "loyalty/version.h"
#include "loyalty/storage.h"
#include "loyalty/engine.h"
#include "loyalty/customer.h"
#include "loyalty/event.h"
#include "loyalty/program.h"
#include "loyalty/reward.h"
#include "loyalty/plan.h"
#include "loyalty/message.h"
#include "loyalty/appointment.h"
#include "loyalty/referral.h"
#include "loyalty/briefing.h"
#include "loyalty/clv.h"
#include "loyalty/rfm.h"
#include "loyalty/campaign.h"
#include "loyalty/settings.h"

#endif /* LOYALTY_H */
