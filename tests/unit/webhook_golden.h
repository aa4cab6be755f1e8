/*
 * Alerts as the outbox holds them, and the Slack and Teams bodies that
 * plugins/webhook.c built for each before its words moved to
 * daemon/alert-text.c (commit ac2033e): every body must stay the same
 * byte for byte.  No phrase has changed so far; where a shared text
 * improves one, its row changes here, with a note of why.
 */
struct webhook_golden {
	const char	*alert;
	const char	*slack;
	const char	*teams;
};

static const struct webhook_golden webhook_golden[] = {
	{ "{\"type\":\"contract.alert\",\"key\":\"HAV-CPDPS/extension_dea"
	    "dline/2025-03-31/30\",\"contract\":{\"ref\":\"HAV-CPDPS\",\"ti"
	    "tle\":\"Complex Placements DPS\",\"kind\":\"dps\",\"supplier\""
	    ":null,\"owner_name\":\"Ann\",\"owner_email\":\"ann@x.example\""
	    ",\"end_date\":\"2025-04-30\",\"max_end_date\":\"2026-04-30\","
	    "\"successor_ref\":null},\"milestone\":\"extension_deadline\","
	    "\"due\":\"2025-03-31\",\"offset_days\":30,\"days_left\":30,\"l"
	    "ate\":false,\"lapsed_extension\":false,\"fired_at\":\"2025-03-"
	    "01T09:00:00Z\",\"uncovered\":null}",
	    "{\"text\":\"[contractd] HAV-CPDPS (Complex Placements DPS): ex"
	    "tension decision due in 30 days (2025-03-31)\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"HAV-CPDPS: Complex "
	    "Placements DPS\",\"size\":\"medium\",\"weight\":\"bolder\",\"w"
	    "rap\":true},{\"type\":\"TextBlock\",\"text\":\"[contractd] HAV"
	    "-CPDPS (Complex Placements DPS): extension decision due in 30 "
	    "days (2025-03-31)\",\"wrap\":true},{\"type\":\"FactSet\",\"fac"
	    "ts\":[{\"title\":\"Contract\",\"value\":\"HAV-CPDPS\"},{\"titl"
	    "e\":\"Milestone\",\"value\":\"extension_deadline\"},{\"title\""
	    ":\"Due\",\"value\":\"2025-03-31\"},{\"title\":\"Days left\",\""
	    "value\":\"30\"},{\"title\":\"End date\",\"value\":\"2025-04-30"
	    "\"},{\"title\":\"Max end date\",\"value\":\"2026-04-30\"},{\"t"
	    "itle\":\"Successor\",\"value\":\"none\"}]}]}}]}" },
	{ "{\"type\":\"contract.alert\",\"key\":\"K/coverage_gap/2025-04-"
	    "30/7\",\"contract\":{\"ref\":\"K\",\"title\":\"Care <homes> & "
	    "more\",\"kind\":\"contract\",\"end_date\":\"2025-04-30\",\"max"
	    "_end_date\":\"2026-04-30\",\"successor_ref\":\"K2\"},\"milesto"
	    "ne\":\"coverage_gap\",\"due\":\"2025-04-30\",\"offset_days\":7"
	    ",\"days_left\":7,\"late\":true,\"lapsed_extension\":true,\"unc"
	    "overed\":\"Residential <care> & respite;Day care\"}",
	    "{\"text\":\"[contractd] K (Care &lt;homes&gt; &amp; more): ser"
	    "vices left uncovered after the term ends in 7 days (2025-04-30"
	    "): Residential &lt;care&gt; &amp; respite, Day care; it can st"
	    "ill be extended to 2026-04-30 (late). The last extension was r"
	    "ecorded after the contract had lapsed.\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"K: Care <homes> & m"
	    "ore\",\"size\":\"medium\",\"weight\":\"bolder\",\"wrap\":true}"
	    ",{\"type\":\"TextBlock\",\"text\":\"[contractd] K (Care <homes"
	    "> & more): services left uncovered after the term ends in 7 da"
	    "ys (2025-04-30): Residential <care> & respite, Day care; it ca"
	    "n still be extended to 2026-04-30 (late). The last extension w"
	    "as recorded after the contract had lapsed.\",\"wrap\":true},{"
	    "\"type\":\"FactSet\",\"facts\":[{\"title\":\"Contract\",\"valu"
	    "e\":\"K\"},{\"title\":\"Milestone\",\"value\":\"coverage_gap\""
	    "},{\"title\":\"Due\",\"value\":\"2025-04-30\"},{\"title\":\"Da"
	    "ys left\",\"value\":\"7\"},{\"title\":\"End date\",\"value\":"
	    "\"2025-04-30\"},{\"title\":\"Max end date\",\"value\":\"2026-0"
	    "4-30\"},{\"title\":\"Successor\",\"value\":\"K2\"}]}]}}]}" },
	{ "{\"type\":\"contract.alert\",\"contract\":{\"ref\":\"T1\",\"ti"
	    "tle\":null,\"end_date\":\"2025-04-30\",\"max_end_date\":\"2025"
	    "-04-30\",\"successor_ref\":\"T2\"},\"milestone\":\"term_end\","
	    "\"due\":\"2025-04-30\",\"offset_days\":1,\"days_left\":1,\"lat"
	    "e\":false,\"lapsed_extension\":false}",
	    "{\"text\":\"[contractd] T1: term ends in 1 day (2025-04-30)\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"T1\",\"size\":\"med"
	    "ium\",\"weight\":\"bolder\",\"wrap\":true},{\"type\":\"TextBlo"
	    "ck\",\"text\":\"[contractd] T1: term ends in 1 day (2025-04-30"
	    ")\",\"wrap\":true},{\"type\":\"FactSet\",\"facts\":[{\"title\""
	    ":\"Contract\",\"value\":\"T1\"},{\"title\":\"Milestone\",\"val"
	    "ue\":\"term_end\"},{\"title\":\"Due\",\"value\":\"2025-04-30\""
	    "},{\"title\":\"Days left\",\"value\":\"1\"},{\"title\":\"End d"
	    "ate\",\"value\":\"2025-04-30\"},{\"title\":\"Max end date\",\""
	    "value\":\"2025-04-30\"},{\"title\":\"Successor\",\"value\":\"T"
	    "2\"}]}]}}]}" },
	{ "{\"type\":\"contract.alert\",\"contract\":{\"ref\":\"E1\",\"ti"
	    "tle\":\"\u00c9t\u00e9 \\\"quoted\\\"\",\"end_date\":\"2025-04-"
	    "30\",\"max_end_date\":\"2025-04-30\"},\"milestone\":\"expired"
	    "\",\"due\":\"2025-05-01\",\"offset_days\":0,\"days_left\":-3,"
	    "\"late\":true,\"lapsed_extension\":false}",
	    "{\"text\":\"[contractd] E1 (\303\211t\303\251 \\\"quoted\\\"):"
	    " expired 3 days ago (2025-05-01) (late)\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"E1: \303\211t\303"
	    "\251 \\\"quoted\\\"\",\"size\":\"medium\",\"weight\":\"bolder"
	    "\",\"wrap\":true},{\"type\":\"TextBlock\",\"text\":\"[contract"
	    "d] E1 (\303\211t\303\251 \\\"quoted\\\"): expired 3 days ago ("
	    "2025-05-01) (late)\",\"wrap\":true},{\"type\":\"FactSet\",\"fa"
	    "cts\":[{\"title\":\"Contract\",\"value\":\"E1\"},{\"title\":\""
	    "Milestone\",\"value\":\"expired\"},{\"title\":\"Due\",\"value"
	    "\":\"2025-05-01\"},{\"title\":\"Days left\",\"value\":\"-3\"},"
	    "{\"title\":\"End date\",\"value\":\"2025-04-30\"},{\"title\":"
	    "\"Max end date\",\"value\":\"2025-04-30\"},{\"title\":\"Succes"
	    "sor\",\"value\":\"none\"}]}]}}]}" },
	{ "{\"type\":\"contract.alert\",\"contract\":{\"ref\":\"P1\",\"ti"
	    "tle\":\"Framework\",\"kind\":\"framework\",\"end_date\":\"2025"
	    "-04-30\",\"max_end_date\":\"2027-04-30\"},\"milestone\":\"proc"
	    "urement_start\",\"due\":\"2026-10-30\",\"offset_days\":90,\"da"
	    "ys_left\":0,\"late\":false,\"lapsed_extension\":false}",
	    "{\"text\":\"[contractd] P1 (Framework): re-procurement should "
	    "start today (2026-10-30)\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"P1: Framework\",\"s"
	    "ize\":\"medium\",\"weight\":\"bolder\",\"wrap\":true},{\"type"
	    "\":\"TextBlock\",\"text\":\"[contractd] P1 (Framework): re-pro"
	    "curement should start today (2026-10-30)\",\"wrap\":true},{\"t"
	    "ype\":\"FactSet\",\"facts\":[{\"title\":\"Contract\",\"value\""
	    ":\"P1\"},{\"title\":\"Milestone\",\"value\":\"procurement_star"
	    "t\"},{\"title\":\"Due\",\"value\":\"2026-10-30\"},{\"title\":"
	    "\"Days left\",\"value\":\"0\"},{\"title\":\"End date\",\"value"
	    "\":\"2025-04-30\"},{\"title\":\"Max end date\",\"value\":\"202"
	    "7-04-30\"},{\"title\":\"Successor\",\"value\":\"none\"}]}]}}]}" },
	{ "{\"type\":\"contract.alert\",\"contract\":{\"ref\":\"B1\",\"ti"
	    "tle\":\"x\"},\"milestone\":\"break_clause\",\"due\":\"2025-03-"
	    "31\",\"offset_days\":5,\"days_left\":5,\"late\":false,\"lapsed"
	    "_extension\":false}",
	    "{\"text\":\"[contractd] B1 (x): break_clause due in 5 days (20"
	    "25-03-31)\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"B1: x\",\"size\":\""
	    "medium\",\"weight\":\"bolder\",\"wrap\":true},{\"type\":\"Text"
	    "Block\",\"text\":\"[contractd] B1 (x): break_clause due in 5 d"
	    "ays (2025-03-31)\",\"wrap\":true},{\"type\":\"FactSet\",\"fact"
	    "s\":[{\"title\":\"Contract\",\"value\":\"B1\"},{\"title\":\"Mi"
	    "lestone\",\"value\":\"break_clause\"},{\"title\":\"Due\",\"val"
	    "ue\":\"2025-03-31\"},{\"title\":\"Days left\",\"value\":\"5\"}"
	    ",{\"title\":\"Successor\",\"value\":\"none\"}]}]}}]}" },
	{ "{\"type\":\"contract.alert\",\"contract\":{\"ref\":\"N1\",\"ti"
	    "tle\":\"x\"},\"milestone\":\"procurement_start\",\"due\":\"202"
	    "5-03-31\",\"offset_days\":0,\"days_left\":-2,\"late\":false,\""
	    "lapsed_extension\":false}",
	    "{\"text\":\"[contractd] N1 (x): re-procurement should have sta"
	    "rted 2 days ago (2025-03-31)\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"N1: x\",\"size\":\""
	    "medium\",\"weight\":\"bolder\",\"wrap\":true},{\"type\":\"Text"
	    "Block\",\"text\":\"[contractd] N1 (x): re-procurement should h"
	    "ave started 2 days ago (2025-03-31)\",\"wrap\":true},{\"type\""
	    ":\"FactSet\",\"facts\":[{\"title\":\"Contract\",\"value\":\"N1"
	    "\"},{\"title\":\"Milestone\",\"value\":\"procurement_start\"},"
	    "{\"title\":\"Due\",\"value\":\"2025-03-31\"},{\"title\":\"Days"
	    " left\",\"value\":\"-2\"},{\"title\":\"Successor\",\"value\":"
	    "\"none\"}]}]}}]}" },
	{ "{\"type\":\"contract.test\",\"key\":\"test/hook/1.1\",\"contra"
	    "ct\":{\"ref\":\"TEST\",\"title\":\"contractd test alert\"},\"m"
	    "ilestone\":\"test\",\"due\":\"2025-03-31\",\"offset_days\":0,"
	    "\"days_left\":0,\"late\":false,\"lapsed_extension\":false,\"fi"
	    "red_at\":\"2025-03-31T09:00:00Z\"}",
	    "{\"text\":\"[contractd] test: TEST (contractd test alert): tes"
	    "t due today (2025-03-31)\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"TEST: contractd tes"
	    "t alert\",\"size\":\"medium\",\"weight\":\"bolder\",\"wrap\":t"
	    "rue},{\"type\":\"TextBlock\",\"text\":\"[contractd] test: TEST"
	    " (contractd test alert): test due today (2025-03-31)\",\"wrap"
	    "\":true},{\"type\":\"FactSet\",\"facts\":[{\"title\":\"Contrac"
	    "t\",\"value\":\"TEST\"},{\"title\":\"Milestone\",\"value\":\"t"
	    "est\"},{\"title\":\"Due\",\"value\":\"2025-03-31\"},{\"title\""
	    ":\"Days left\",\"value\":\"0\"},{\"title\":\"Successor\",\"val"
	    "ue\":\"none\"}]}]}}]}" },
	{ "{}",
	    "{\"text\":\"[contractd] ?: milestone due today\"}",
	    "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"appl"
	    "ication/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"co"
	    "ntent\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptiv"
	    "e-card.json\",\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\""
	    "body\":[{\"type\":\"TextBlock\",\"text\":\"?\",\"size\":\"medi"
	    "um\",\"weight\":\"bolder\",\"wrap\":true},{\"type\":\"TextBloc"
	    "k\",\"text\":\"[contractd] ?: milestone due today\",\"wrap\":t"
	    "rue},{\"type\":\"FactSet\",\"facts\":[{\"title\":\"Days left\""
	    ",\"value\":\"0\"},{\"title\":\"Successor\",\"value\":\"none\"}"
	    "]}]}}]}" },
};
