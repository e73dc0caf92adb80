# Generates fhi_demo.csv: 37 synthetic units (data/cities.csv plus Suzhou) × the 39 FHI indicators,
# driven by one latent "size" per city with heavy-tailed counts. Synthetic: not the report's data.
# Run from the repo root: python3 scoring/testdata/gen_fhi_demo.py
import csv, random, math
random.seed(2017)
cities = [r['name_en'] for r in csv.DictReader(open('data/cities.csv'))]
cities.append('Suzhou')
ids = []
for s in ['p2p', 'crowdfunding', 'payment', 'credit', 'blockchain']:
    for k in ['firms', 'volume', 'capital', 'talent']:
        ids.append(f'industry.{s}.{k}')
ids += ['experience.p2p.online_borrowing', 'experience.crowdfunding.online_fundraising', 'experience.payment.online_payment', 'experience.credit.penetration', 'experience.blockchain.familiarity']
ids += ['ecosystem.business.gdp_per_capita', 'ecosystem.business.finance_industry', 'ecosystem.business.tech_industry', 'ecosystem.business.cost_of_living', 'ecosystem.infrastructure.financial', 'ecosystem.infrastructure.information', 'ecosystem.research.university', 'ecosystem.research.institutes', 'ecosystem.research.talent_reserve', 'ecosystem.policy.spending', 'ecosystem.policy.support', 'ecosystem.policy.attention', 'ecosystem.regulation.regulators', 'ecosystem.attention.baidu_heat']
assert len(ids) == 39
size = {c: random.gauss(0, 1) for c in cities}
for c, b in zip(['Beijing', 'Shanghai', 'Shenzhen', 'Hangzhou', 'Guangzhou'], [3.2, 3.0, 2.7, 2.5, 2.2]):
    size[c] = b
with open('scoring/testdata/fhi_demo.csv', 'w') as f:
    w = csv.writer(f, lineterminator='\n'); w.writerow(['city'] + ids)
    for c in cities:
        row = [c]
        for i in ids:
            z = size[c] + random.gauss(0, 0.6)
            if i.endswith(('firms', 'capital', 'regulators')): v = round(math.exp(1.2*z + 2))
            elif i.endswith('volume'): v = round(math.exp(1.5*z + 3), 2)
            elif i.endswith('talent'): v = round(6000 + 900*z + random.gauss(0, 300), 2)
            elif i.endswith('cost_of_living'): v = round(8 + 3*z + random.gauss(0, 1), 3)
            else: v = round(50 + 15*z, 3)
            row.append(v)
        w.writerow(row)
