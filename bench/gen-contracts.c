/*
 * gen-contracts: writes N realistic contracts as a contractd import CSV
 * (DESIGN.md section 5), for the benchmarks in bench/.
 *
 *   cc -O2 -o gen-contracts gen-contracts.c
 *   ./gen-contracts [-n N] [-s SEED] [-r YYYY-MM-DD] [-o FILE]
 *
 * -n  number of contracts (default 1000)
 * -s  seed (default 1): the same seed, N and reference date give the same
 *     bytes
 * -r  reference date (default: today, local time); end dates spread over
 *     about -1..+8 years around it, start dates are before it
 * -o  output file (default: standard output)
 *
 * Each row depends only on the seed, the reference date and its index, so
 * a successor_ref can name any other row's ref.  The mix: ~70% contracts,
 * 15% call-offs, 10% frameworks, 5% DPS; half the terms end on the last
 * day of a month; ~70% have extension options (max_end_date 1-24 months
 * later); ~15% name a successor; 1-4 services of 44 keys; notes with
 * commas and quotes, some titles with UTF-8, as real exports have.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dates.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- randomness: splitmix64, one stream per row ---- */

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct rng {
	uint64_t	s;
};

static uint64_t
rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* Uniform in [0, n). */
static uint32_t
rnd_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnd(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static int
rnd_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rnd_below(r, (uint32_t)(hi - lo + 1));
}

/* True with probability pct percent. */
static int
chance(struct rng *r, unsigned pct)
{
	return rnd_below(r, 100) < pct;
}

#define PICK(r, a)	((a)[rnd_below((r), NELEM(a))])

/* ---- civil dates as days since 1970-01-01 (H. Hinnant's algorithms) ---- */

/* Calendar arithmetic is the daemon's own (daemon/dates.c). */
static void
civil_from_days(int32_t z, int *y, int *m, int *d)
{
	date_to_ymd(z, y, m, d);
}

static int32_t
days_from_civil(int y, int m, int d)
{
	int32_t	day = 0;

	(void)date_from_ymd(y, m, d, &day);
	return day;
}

static int32_t
last_of_month(int32_t day)
{
	int	y, m, d;

	civil_from_days(day, &y, &m, &d);
	return days_from_civil(y, m, date_days_in_month(y, m));
}

static int32_t
first_of_month(int32_t day)
{
	int	y, m, d;

	civil_from_days(day, &y, &m, &d);
	return days_from_civil(y, m, 1);
}

#define add_months(day, n)	date_add_months((day), (n))
#define fmt_date(day, buf)	date_format((day), (buf))
#define parse_date(s, day)	date_parse((s), (day))

/* ---- vocabulary ---- */

/* Who buys: councils, trusts, combined authorities.  Code, mail domain. */
static const struct org {
	const char	*code;
	const char	*domain;
} orgs[] = {
	{ "HAV", "havering" }, { "CAM", "camden" }, { "ISL", "islington" },
	{ "HAC", "hackney" }, { "LBH", "haringey" }, { "BAR", "barnet" },
	{ "ENF", "enfield" }, { "WAL", "walthamforest" }, { "NEW", "newham" },
	{ "RED", "redbridge" }, { "BEX", "bexley" }, { "BRO", "bromley" },
	{ "CRO", "croydon" }, { "SUT", "sutton" }, { "KIN", "kingston" },
	{ "RIC", "richmond" }, { "HOU", "hounslow" }, { "EAL", "ealing" },
	{ "BRE", "brent" }, { "HRW", "harrow" }, { "HIL", "hillingdon" },
	{ "WSM", "westminster" }, { "RBK", "rbkc" }, { "LAM", "lambeth" },
	{ "SWK", "southwark" }, { "LEW", "lewisham" }, { "GRE", "greenwich" },
	{ "TH", "towerhamlets" }, { "MAN", "manchester" }, { "SAL", "salford" },
	{ "TRA", "trafford" }, { "BIR", "birmingham" }, { "COV", "coventry" },
	{ "LDS", "leeds" }, { "BRD", "bradford" }, { "SHF", "sheffield" },
	{ "LIV", "liverpool" }, { "NCL", "newcastle" }, { "BRS", "bristol" },
	{ "NOT", "nottingham" }, { "LEI", "leicester" }, { "DER", "derby" },
	{ "KEN", "kent" }, { "ESX", "essex" }, { "SUR", "surreycc" },
	{ "HRT", "hertfordshire" }, { "NFK", "norfolk" }, { "SFK", "suffolk" },
	{ "DEV", "devon" }, { "CWL", "cornwall" }, { "LAN", "lancashire" },
	{ "CUM", "cumberland" }, { "NYC", "northyorks" }, { "GMCA", "gmca" },
	{ "WMCA", "wmca" }, { "NHSNEL", "nelondon-icb" },
	{ "NHSNCL", "ncl-icb" }, { "NHSSEL", "selondon-icb" },
	{ "CCS", "crowncommercial" }, { "ESPO", "espo" }, { "YPO", "ypo" },
	{ "NEPO", "nepo" }, { "LHC", "lhc" }, { "SCAPE", "scape" },
};

/* ~40 service keys: area and client group, as in etc/demo-contracts.csv. */
static const struct service {
	const char	*key;
	const char	*title;
} services[] = {
	{ "residential:LD", "Residential care (learning disabilities)" },
	{ "residential:MH", "Residential care (mental health)" },
	{ "residential:PSD", "Residential care (physical and sensory)" },
	{ "residential:older-people", "Residential care for older people" },
	{ "residential:children", "Children's residential care" },
	{ "nursing:LD", "Nursing care (learning disabilities)" },
	{ "nursing:MH", "Nursing care (mental health)" },
	{ "nursing:CVN", "Nursing care (complex needs)" },
	{ "nursing:older-people", "Nursing care for older people" },
	{ "domiciliary:LD", "Home care (learning disabilities)" },
	{ "domiciliary:MH", "Home care (mental health)" },
	{ "domiciliary:PSD", "Home care (physical and sensory)" },
	{ "domiciliary:older-people", "Home care for older people" },
	{ "supported-living:LD", "Supported living (learning disabilities)" },
	{ "supported-living:MH", "Supported living (mental health)" },
	{ "supported-living:children", "Supported accommodation, 16–17" },
	{ "live-in:older-people", "Live-in care" },
	{ "extra-care:older-people", "Extra care housing support" },
	{ "reablement:adults", "Reablement" },
	{ "day-services:LD", "Day opportunities (learning disabilities)" },
	{ "day-services:older-people", "Day centres for older people" },
	{ "respite:LD", "Short breaks (learning disabilities)" },
	{ "respite:children", "Short breaks for disabled children" },
	{ "carers-support:adults", "Carers support" },
	{ "advocacy:adults", "Independent advocacy" },
	{ "advocacy:children", "Children's advocacy" },
	{ "fostering:children", "Independent fostering" },
	{ "leaving-care:16-25", "Leaving care support" },
	{ "substance-misuse:adults", "Drug and alcohol treatment" },
	{ "sexual-health:adults", "Integrated sexual health" },
	{ "domestic-abuse:adults", "Domestic abuse refuge and outreach" },
	{ "homelessness:adults", "Homelessness prevention" },
	{ "equipment:community", "Community equipment" },
	{ "telecare:adults", "Telecare and community alarms" },
	{ "meals:older-people", "Meals on wheels" },
	{ "transport:SEN", "Home to school transport (SEN)" },
	{ "interpreting:all", "Interpreting and translation" },
	{ "waste:collection", "Waste collection" },
	{ "highways:maintenance", "Highways maintenance" },
	{ "grounds:maintenance", "Grounds maintenance" },
	{ "cleaning:facilities", "Facilities cleaning" },
	{ "ict:support", "ICT support and managed services" },
	{ "legal:advice", "External legal advice" },
	{ "energy:supply", "Energy supply" },
};

static const struct kindmix {
	const char	*name;
	const char	*word;
	unsigned	 pct;	/* cumulative */
} kinds[] = {
	{ "contract", "contract", 70 },
	{ "call-off", "call-off", 85 },
	{ "framework", "framework", 95 },
	{ "dps", "dynamic purchasing system", 100 },
};

static const char *const sup_first[] = {
	"Northgate", "Riverside", "Oakwood", "Meadow", "Beacon", "Harbour",
	"Evergreen", "Summit", "Willow", "Brook", "Castle", "Heritage",
	"Pioneer", "Unity", "Crescent", "Horizon", "Ashford", "Kingfisher",
	"Lighthouse", "Orchard", "Phoenix", "Sterling", "Thames", "Pennine",
	"Medequip", "Enable", "Voice", "Carewatch", "Bluebird", "Caremark",
};
static const char *const sup_mid[] = {
	"Care", "Homecare", "Support", "Health", "Living", "Services",
	"Community", "Facilities", "Solutions", "Partnerships", "Transport",
	"Advocacy",
};
static const char *const sup_end[] = {
	"Ltd", "Ltd", "Ltd", "Limited", "CIC", "plc", "LLP", "Trust",
	"Group Ltd", "(UK) Ltd",
};
static const char *const first_names[] = {
	"Amelia", "Oliver", "Priya", "Mohammed", "Grace", "Jack", "Aisha",
	"Thomas", "Chloe", "Daniel", "Fatima", "James", "Sophie", "Ravi",
	"Emily", "Kwame", "Hannah", "Samuel", "Zara", "Liam", "Olivia",
	"Noah", "Isla", "Arjun", "Megan", "Tomasz", "Siobhan", "Chen",
};
static const char *const last_names[] = {
	"Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor",
	"Davies", "Evans", "Wilson", "Thomas", "Ahmed", "Roberts", "Walker",
	"Wright", "Robinson", "Thompson", "O'Brien", "Okafor", "Nowak",
	"Singh", "Hughes", "Green", "Lewis", "Clarke", "Hall", "Begum",
};
static const char *const roles[] = {
	"procurement", "legal", "decisions", "commissioning", "finance",
	"contracts", "governance",
};
static const char *const lots[] = {
	"", "", "", " – Lot 1", " – Lot 2", " – Lot 3", " (North)",
	" (South)", " (East)", " (West)", " (borough-wide)",
};
static const char *const notes[] = {
	"Option to extend for up to 24 months, subject to satisfactory "
	    "performance.",
	"Extension requires Cabinet approval, see \"Key Decision\" process.",
	"Re-procurement under way; soft market testing complete.",
	"Price review annually in April, capped at CPI.",
	"Call-off from a regional framework, terms as per the framework.",
	"TUPE applies; staff list to be requested 6 months before end.",
	"Joint contract with the ICB, 60/40 cost split.",
	"Contract manager: see \"Contracts Register\", tab 3.",
	"Social value commitments, monitored quarterly.",
	"Break clause at 3 years, 6 months' notice.",
};

/* ---- one row ---- */

static uint64_t	gen_seed;

static const struct org *
row_org(uint32_t i)
{
	return &orgs[mix64(gen_seed ^ ((uint64_t)i << 1)) % NELEM(orgs)];
}

/* A row's ref: org code, a year and the row number, so unique. */
static void
row_ref(uint32_t i, char *buf, size_t len)
{
	uint64_t	h = mix64(gen_seed ^ ((uint64_t)i << 1) ^ 1);

	snprintf(buf, len, "%s-%04u-%07" PRIu32, row_org(i)->code,
	    2012 + (unsigned)(h % 14), i + 1);
}

/* Appends v as one CSV field, quoted when it needs it (RFC 4180). */
static void
put_field(FILE *f, const char *v, int last)
{
	const char	*p;

	if (strpbrk(v, ",\"\r\n") == NULL)
		fputs(v, f);
	else {
		putc('"', f);
		for (p = v; *p != '\0'; p++) {
			if (*p == '"')
				putc('"', f);
			putc(*p, f);
		}
		putc('"', f);
	}
	putc(last ? '\n' : ',', f);
}

static void
lower_alpha(char *dst, size_t len, const char *src)
{
	size_t	n = 0;

	for (; *src != '\0' && n + 1 < len; src++) {
		if (*src >= 'A' && *src <= 'Z')
			dst[n++] = (char)(*src - 'A' + 'a');
		else if (*src >= 'a' && *src <= 'z')
			dst[n++] = *src;
	}
	dst[n] = '\0';
}

static void
gen_row(FILE *f, uint32_t i, uint32_t n, int32_t today)
{
	struct rng		 r = { mix64(gen_seed * 0x100000001b3ULL + i) };
	const struct org	*org = row_org(i);
	const struct kindmix	*k;
	const char		*fn, *ln;
	char			 ref[80], title[256], supplier[128], owner[96];
	char			 email[160], notify[256], svc[256], value[32];
	char			 succ[80], ext[16], lead[16], sd[16], ed[16];
	char			 md[16], a[48], b[48];
	unsigned		 pick, used[4];
	int32_t			 start, end, max_end;
	int			 nsvc, s, j, t;

	row_ref(i, ref, sizeof(ref));
	pick = rnd_below(&r, 100);
	for (k = kinds; pick >= k->pct; k++)
		;

	/* Services: 1-4 distinct keys; frameworks and DPS cover more. */
	nsvc = k->pct > 85 ? rnd_range(&r, 2, 4) : rnd_range(&r, 1, 3) -
	    (chance(&r, 40) ? 1 : 0);
	if (nsvc < 1)
		nsvc = 1;
	svc[0] = '\0';
	for (s = 0; s < nsvc; s++) {
		do {
			used[s] = rnd_below(&r, NELEM(services));
			for (j = 0; j < s && used[j] != used[s]; j++)
				;
		} while (j < s);
		if (s > 0)
			strcat(svc, ";");
		strcat(svc, services[used[s]].key);
	}
	snprintf(title, sizeof(title), "%s %s%s", services[used[0]].title,
	    k->word, PICK(&r, lots));

	if (k->name[0] == 'd')
		supplier[0] = '\0';	/* a DPS has many providers */
	else
		snprintf(supplier, sizeof(supplier), "%s %s %s",
		    PICK(&r, sup_first), PICK(&r, sup_mid), PICK(&r, sup_end));

	fn = PICK(&r, first_names);
	ln = PICK(&r, last_names);
	snprintf(owner, sizeof(owner), "%s %s", fn, ln);
	lower_alpha(a, sizeof(a), fn);
	lower_alpha(b, sizeof(b), ln);
	snprintf(email, sizeof(email), "%s.%s@%s.council.example", a, b,
	    org->domain);
	notify[0] = '\0';
	for (t = chance(&r, 50) ? rnd_range(&r, 1, 2) : 0; t > 0; t--) {
		const char *role = PICK(&r, roles);

		if (strstr(notify, role) != NULL)
			continue;
		snprintf(notify + strlen(notify), sizeof(notify) -
		    strlen(notify), "%s%s@%s.council.example",
		    notify[0] ? ";" : "", role, org->domain);
	}

	/* Dates: the end anywhere in about -1..+8 years, start before today. */
	end = today + rnd_range(&r, -365, 8 * 365);
	if (chance(&r, 50))
		end = last_of_month(end);
	start = end - 365 * rnd_range(&r, 1, 7) - rnd_range(&r, 0, 90);
	if (start >= today)
		start = today - rnd_range(&r, 1, 365);
	if (chance(&r, 50))
		start = first_of_month(start);
	if (start > end)
		start = end;
	md[0] = '\0';
	t = rnd_below(&r, 100);
	if (t < 70) {
		static const int m[] = { 6, 12, 12, 12, 24, 24 };

		max_end = add_months(end, chance(&r, 50) ? PICK(&r, m) :
		    rnd_range(&r, 1, 24));
		fmt_date(max_end, md);
	} else if (t < 85)
		fmt_date(end, md);	/* explicit: no extension left */

	ext[0] = lead[0] = succ[0] = value[0] = '\0';
	if (chance(&r, 60)) {
		static const int d[] = { 30, 60, 90, 90, 120, 180 };

		snprintf(ext, sizeof(ext), "%d", PICK(&r, d));
	}
	if (chance(&r, 50)) {
		static const int d[] = { 120, 180, 240, 270, 365 };

		snprintf(lead, sizeof(lead), "%d", PICK(&r, d));
	}
	if (n > 1 && chance(&r, 15)) {
		uint32_t sj = rnd_below(&r, n - 1);

		row_ref(sj >= i ? sj + 1 : sj, succ, sizeof(succ));
	}
	if (chance(&r, 90)) {
		/* 10k to ~100m, log-uniform; some with pence. */
		double v = 10000.0;

		for (t = rnd_range(&r, 0, 40); t > 0; t--)
			v *= 1.1885;	/* 1.1885^40 ~ 10^3 */
		v *= 1.0 + rnd_below(&r, 1000) / 1000.0;
		if (k->pct > 85)
			v *= 10;
		if (chance(&r, 20))
			snprintf(value, sizeof(value), "%.2f", v);
		else
			snprintf(value, sizeof(value), "%.0f", v);
	}

	put_field(f, ref, 0);
	put_field(f, title, 0);
	put_field(f, k->name, 0);
	put_field(f, supplier, 0);
	put_field(f, owner, 0);
	put_field(f, email, 0);
	put_field(f, notify, 0);
	put_field(f, fmt_date(start, sd), 0);
	put_field(f, fmt_date(end, ed), 0);
	put_field(f, md, 0);
	put_field(f, ext, 0);
	put_field(f, lead, 0);
	put_field(f, succ, 0);
	put_field(f, svc, 0);
	put_field(f, value, 0);
	put_field(f, chance(&r, 55) ? PICK(&r, notes) : "", 1);
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen-contracts [-n N] [-s SEED] "
	    "[-r YYYY-MM-DD] [-o FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	FILE		*f = stdout;
	const char	*out = NULL;
	char		*end;
	unsigned long	 n = 1000;
	int32_t		 today;
	time_t		 now = time(NULL);
	struct tm	 tm;
	uint32_t	 i;
	int		 ch;

	localtime_r(&now, &tm);
	today = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	gen_seed = 1;
	while ((ch = getopt(argc, argv, "n:s:r:o:")) != -1) {
		switch (ch) {
		case 'n':
			n = strtoul(optarg, &end, 10);
			if (*end != '\0' || n == 0 || n > 9999999)
				usage();
			break;
		case 's':
			gen_seed = strtoull(optarg, &end, 10);
			if (*end != '\0')
				usage();
			break;
		case 'r':
			if (parse_date(optarg, &today) == -1)
				usage();
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		perror(out);
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fputs("ref,title,kind,supplier,owner_name,owner_email,notify,"
	    "start_date,end_date,max_end_date,extension_notice_days,"
	    "procurement_lead_days,successor_ref,services,value,notes\n", f);
	for (i = 0; i < n; i++)
		gen_row(f, i, (uint32_t)n, today);
	if (fflush(f) == EOF || ferror(f) || (f != stdout && fclose(f) == EOF)) {
		perror(out != NULL ? out : "stdout");
		return 1;
	}
	return 0;
}
