/**
 * Rules about a line on its own: whether the knowledge base knows the drug (a line it does not
 * know was not screened, and the prescriber should see that), and whether the route and the
 * dosage form are ones the ingredient is given by.
 */
import type { RuleFinding } from '../../prescription/checker.js';
import { finding, type CheckContext } from '../check-context.js';

const UNKNOWN = { zh: '知识库未收录该药品，未能审核', en: 'The drug is not in the knowledge base and was not screened' };
const ROUTE = { zh: '给药途径不适宜', en: 'The route is not one this drug is given by' };
const FORM = { zh: '剂型与药品不符', en: 'The dosage form is not one this drug is made in' };

export function lineFindings(ctx: CheckContext): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const line of ctx.lines) {
    const item = line.item;
    const lines = [item.line];
    if (line.components.length === 0) {
      out.push(finding({ ruleId: 'kb.unknown-drug', category: 'knowledge', tier: 'minor', lines, evidence: { drugCode: item.drugCode, genericName: item.genericName }, message: UNKNOWN, source: ctx.k.bundle.name }));
      continue;
    }
    for (const c of line.components) {
      const d = c.ingredient.data;
      if (!d.routes.includes(item.route)) out.push(finding({ ruleId: `route.${d.id}`, category: 'route', tier: 'major', lines, evidence: { ingredient: d.id, route: item.route }, message: ROUTE, source: d.source }));
      // A combination product's form is the product's; the components' own forms do not apply.
      if (line.product === undefined && !d.forms.includes(item.form)) out.push(finding({ ruleId: `form.${d.id}`, category: 'route', tier: 'moderate', lines, evidence: { ingredient: d.id, form: item.form }, message: FORM, source: d.source }));
    }
  }
  return out;
}
