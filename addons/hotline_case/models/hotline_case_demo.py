"""The demo city's cases (工单), generated once at install by demo/hotline_case_demo.xml.

Cases in every state, walked through the real workflow by the demo users, then dated back over the
last two months so that lists, deadlines and reports look like a running hotline. The generator has
its own seeded sequence: every install gets the same cases.
"""

import datetime

from odoo import api, models

TEMPLATES = [
    ('water_outage', 'help', 'u', '{addr}从昨晚开始停水，至今未恢复，也没有看到停水通知，家中有老人，生活很不方便，请尽快恢复供水。', '经查为小区加压泵站故障，已更换水泵，当日18时恢复供水，已向来电人说明情况。'),
    ('water_outage', 'consult', 'n', '来电咨询{addr}所在片区今天停水的原因以及预计什么时候恢复供水。', '该片区因主管网改造计划停水，已告知来电人预计次日6时前恢复供水。'),
    ('water_low_pressure', 'complaint', 'n', '{addr}高层住户水压长期偏低，早晚用水高峰时七楼以上基本无水，热水器无法点火，反映多次未解决。', '已对小区二次供水设备进行调试，增设变频泵，高峰期水压恢复正常，住户确认。'),
    ('water_quality', 'complaint', 'u', '{addr}自来水发黄、有异味，放水十几分钟仍然浑浊，担心影响饮用安全。', '已对管网进行冲洗并取样送检，水质检测合格，已向居民出示检测报告。'),
    ('water_leak', 'emergency', 'c', '{addr}路边供水管道爆裂，大量自来水涌出路面，已经影响车辆通行，请立即派人抢修。', '抢修人员40分钟到达现场，关闭阀门后更换破损管段，当晚恢复供水和通行。'),
    ('water_meter', 'help', 'n', '{addr}家中水表冬季冻裂漏水，请求供水公司上门更换水表。', '已上门更换水表并做好保温，告知来电人冬季注意水表防冻。'),
    ('water_billing', 'consult', 'n', '来电人反映本月水费比平时高出很多，家中没有漏水，咨询如何核查水表读数。', '已安排抄表员复核读数，确认上月估抄，已按实际读数重新核算水费。'),
    ('gas_leak', 'emergency', 'c', '{addr}楼道内闻到很浓的燃气味，怀疑燃气泄漏，居民已经撤到楼下，请立即处理。', '抢险人员20分钟到场，查明为楼道立管接口松动，已紧固并检测无泄漏，恢复供气。'),
    ('gas_outage', 'help', 'u', '{addr}今天上午突然停气，燃气表内还有余额，家里无法做饭，请尽快查明原因。', '经查为IC卡燃气表电池电量不足导致阀门关闭，已上门更换电池恢复供气。'),
    ('gas_low_pressure', 'complaint', 'n', '{addr}做饭时燃气火苗很小，热水器经常熄火，整栋楼都有这个情况。', '已对调压箱进行检修，更换调压器，压力恢复正常。'),
    ('gas_safety_check', 'consult', 'n', '来电人接到入户安检通知，咨询安检人员身份如何核实，以及安检是否收费。', '已告知入户安检免费，安检人员佩戴工作证，可拨打燃气集团热线核实身份。'),
    ('gas_account', 'consult', 'n', '来电人新购二手房，咨询燃气开户过户需要带哪些材料、到哪里办理。', '已告知需携带房产证、身份证到燃气集团营业厅办理，也可在网上营业厅办理。'),
    ('heating_not_warm', 'complaint', 'u', '{addr}暖气一直不热，室内温度只有14度，家里有老人和孩子，已经交了取暖费，请尽快解决。', '维修人员上门对户内管道放气并清洗过滤器，室温回升至19度，住户表示认可。'),
    ('heating_not_warm', 'complaint', 'n', '{addr}整栋楼暖气温度偏低，晚上室温不到16度，要求热力公司检测。', '已调整该楼栋供热平衡阀，次日测温室温18度以上，达到供热标准。'),
    ('heating_leak', 'help', 'u', '{addr}楼上暖气管道漏水，水已经渗到我家天花板，墙面大面积湿了，联系不上楼上住户。', '已关闭楼栋供热阀门并更换漏水管件，协调楼上住户处理后续赔偿事宜。'),
    ('heating_billing', 'consult', 'n', '来电咨询今年供热费收费标准和缴费截止日期，以及能否申请分户报停。', '已告知收费标准每平方米每月5.5元，缴费截止日期及报停办理流程。'),
    ('drainage_blocked', 'help', 'u', '{addr}小区下水道堵塞，污水从一楼地漏往外冒，味道很大，请尽快疏通。', '已派疏通车清掏管道，清理出大量油污和杂物，排水恢复畅通。'),
    ('drainage_manhole', 'emergency', 'c', '{addr}路口的井盖丢失，晚上没有照明，非常危险，已经有电动车差点掉进去。', '已在现场设置警示标志，当日补装防盗井盖。'),
    ('drainage_waterlogging', 'complaint', 'u', '{addr}一下雨路面就大面积积水，积水深度没过脚踝，行人无法通行。', '已清理雨水篦子并疏通雨水管道，下次降雨时已无明显积水。'),
    ('drainage_overflow', 'complaint', 'u', '{addr}污水井满溢，污水流到路面，臭味很大，影响周边商户经营。', '已对污水管道进行清淤，并对泵站加强巡查，污水外溢问题已解决。'),
    ('road_pavement', 'complaint', 'n', '{addr}路面出现一个大坑，下雨后积水看不清，已经有车辆爆胎，请尽快修补。', '已对破损路面进行沥青修补，恢复平整。'),
    ('road_streetlight', 'help', 'n', '{addr}一段路灯连续一周晚上不亮，路段很黑，夜间行人不安全。', '经查为线路老化短路，已更换电缆，路灯恢复正常照明。'),
    ('road_sidewalk', 'complaint', 'n', '{addr}人行道地砖松动破损，下雨天踩上去溅水，老人容易摔倒。', '已更换破损地砖约30平方米。'),
    ('road_snow_ice', 'help', 'u', '{addr}坡道积雪结冰，车辆打滑上不去，已经发生两起剐蹭，请求撒融雪剂。', '已组织人员铲冰除雪并撒布融雪剂，道路恢复通行。'),
    ('greening_fallen_tree', 'emergency', 'c', '{addr}大风把路边一棵大树刮倒，压在停放的车辆上，还挡住了半幅道路。', '园林抢险队到场切割清运倒伏树木，道路恢复通行，车辆损失已引导车主报保险。'),
    ('greening_pruning', 'suggestion', 'n', '{addr}楼前的树木太高太密，遮挡低层住户采光，树枝碰到电线，建议修剪。', '已安排对遮挡采光和临近电线的树枝进行修剪。'),
    ('greening_green_damage', 'report', 'n', '举报{addr}附近有人毁坏公共绿地，在绿化带里开荒种菜。', '已联合社区进行劝导，恢复绿地，并设置了提示牌。'),
    ('sanitation_garbage', 'complaint', 'n', '{addr}垃圾桶已经满溢好几天没人清运，垃圾散落一地，气味难闻还招苍蝇。', '已协调环卫所当日清运，并将该点位清运频次调整为每日两次。'),
    ('sanitation_toilet', 'suggestion', 'n', '{addr}附近公厕卫生条件差，洗手池坏了一直没修，建议加强管理。', '已维修洗手池，并安排专人每日保洁巡查。'),
    ('sanitation_sorting', 'consult', 'n', '来电咨询过期药品、废旧电池属于哪类垃圾，小区里应该投放到哪个桶。', '已告知均属于有害垃圾，应投放至红色有害垃圾收集容器。'),
    ('property_elevator', 'help', 'u', '{addr}电梯已经停运三天，物业说在等配件，楼里有行动不便的老人，上下楼非常困难。', '已督促物业联系维保单位更换主板，电梯恢复运行并经检验合格。'),
    ('property_service', 'complaint', 'n', '{addr}物业服务差，楼道长期无人打扫，门禁坏了很久不修，物业费却照收。', '已约谈物业公司，限期整改楼道保洁和门禁，社区跟进验收。'),
    ('property_fee', 'consult', 'n', '来电咨询物业费上涨是否需要经过业主大会同意，物业单方面涨价是否合规。', '已告知物业费调整需按合同约定并经业主共同决定，可向街道物业办反映。'),
    ('housing_leak', 'help', 'n', '{addr}顶楼屋面漏水，下雨天家里客厅往下滴水，房屋在保修期内，开发商推诿。', '已协调开发商对屋面防水层进行维修，雨后回访无渗漏。'),
    ('housing_dangerous', 'help', 'u', '{addr}老楼外墙出现明显裂缝，阳台有水泥块掉落，担心房屋安全，申请危房鉴定。', '已委托鉴定机构进行房屋安全鉴定，结论为局部危险，已设置警示并安排加固。'),
    ('housing_affordable', 'consult', 'n', '来电咨询公租房申请条件、需要提交的材料以及审核需要多长时间。', '已告知申请条件、所需材料和办理流程，来电人表示清楚。'),
    ('construction_night_noise', 'complaint', 'n', '{addr}附近工地每天晚上十一点以后还在施工，机器轰鸣，严重影响居民休息。', '已现场检查，该工地未办理夜间施工许可，已责令停止夜间施工并处罚款。'),
    ('construction_dust', 'report', 'n', '{addr}附近工地土方作业没有洒水降尘，渣土也没有覆盖，扬尘很大。', '已责令工地覆盖裸土、配备雾炮洒水降尘，并进行复查。'),
    ('construction_muck_truck', 'report', 'n', '{addr}渣土车夜间超速行驶，沿路抛洒渣土，车辆没有密闭。', '已在该路段设卡查处违规渣土车3辆，并责令运输企业清扫路面。'),
    ('construction_wages', 'help', 'u', '来电人在{addr}附近工地务工，包工头拖欠三个月工资共两万余元，多次讨要未果。', '已协调建设单位和施工总包，拖欠工资已足额支付。'),
    ('municipal_hydrant', 'report', 'n', '{addr}路边消火栓被车辆撞坏，一直在漏水。', '已关闭阀门并更换消火栓。')
]
KNOWN_CALLERS = [
    ('partner_caller_01', 'street_cg_1'),
    ('partner_caller_02', 'street_cg_2'),
    ('partner_caller_03', 'street_cg_3'),
    ('partner_caller_04', 'street_cg_4'),
    ('partner_caller_05', 'street_dc_1'),
    ('partner_caller_06', 'street_dc_2'),
    ('partner_caller_07', 'street_dc_3'),
    ('partner_caller_08', 'street_dc_4'),
    ('partner_caller_09', 'street_xc_1'),
    ('partner_caller_10', 'street_xc_2'),
    ('partner_caller_11', 'street_xc_3'),
    ('partner_caller_12', 'street_nh_1'),
    ('partner_caller_13', 'street_nh_2'),
    ('partner_caller_14', 'street_nh_3'),
    ('partner_caller_15', 'street_gx_1'),
    ('partner_caller_16', 'street_gx_2'),
    ('partner_caller_17', 'street_gx_3'),
    ('partner_caller_18', 'street_jk_1'),
    ('partner_caller_19', 'street_jk_2'),
    ('partner_caller_20', 'street_jk_3'),
    ('partner_caller_21', 'street_cg_1'),
    ('partner_caller_22', 'street_dc_2'),
    ('partner_caller_23', 'street_xc_1'),
    ('partner_caller_24', 'street_nh_2'),
    ('partner_caller_25', 'street_gx_1'),
    ('partner_caller_26', 'street_cg_2'),
    ('partner_caller_27', 'street_dc_3'),
    ('partner_caller_28', 'street_jk_2'),
    ('partner_caller_29', 'street_xc_3'),
    ('partner_caller_30', 'street_nh_3'),
    ('partner_caller_31', 'street_cg_4'),
    ('partner_caller_32', 'street_dc_1')
]
SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段'
GIVEN = ['建华', '秀兰', '志刚', '丽娟', '海燕', '国强', '桂芳', '文杰', '晓东', '玉兰', '永红', '俊峰', '淑英', '春生',
         '红梅', '德明', '雪梅', '宏伟', '凤琴', '小军', '静', '磊', '勇', '敏', '洁', '伟', '芳', '强', '鹏', '燕']
ROADS = ['民主路', '解放路', '人民路', '建设路', '朝阳路', '和平路', '金桥路', '湖滨路', '科技大道', '创业路', '临港大道',
         '滨江大道', '东岗路', '西津路', '南山路', '北环路', '天水路', '庆阳路', '中山路', '团结路']
COMPOUNDS = ['幸福小区', '阳光花园', '锦绣家园', '翠湖苑', '金色港湾', '书香门第', '和谐家园', '滨江花园', '东方明珠小区',
             '龙湖湾', '紫金城', '南湖公寓', '铁路新村', '电厂家属院', '科技苑', '万达广场', '世纪花园', '福星苑']
RETURN_REASONS = ['该地址不属于我单位管辖范围，请重新分理。', '经现场核实，该问题属于小区物业自管设施，不在我单位职责范围内。',
                  '问题涉及燃气管道，请转燃气集团处理。']
CANCEL_REASONS = ['来电人误拨，无具体诉求。', '来电人未说明具体地址，多次回拨无法接通，按无效来电作废。', '骚扰电话。',
                  '来电人表示问题已自行解决，要求撤销。']
CALLBACK_NOTES = {
    'very_satisfied': '来电人表示问题已解决，对处理速度非常满意，感谢热线。',
    'satisfied': '来电人确认问题已解决，表示满意。',
    'basically_satisfied': '来电人表示问题基本解决，但处理时间偏长。',
    'dissatisfied': '来电人表示问题未彻底解决，对处理结果不满意。',
    'very_dissatisfied': '来电人表示单位未上门处理，只是电话答复，非常不满意。',
}
UNREACHABLE_NOTES = ['回访电话无人接听。', '回访电话提示已关机。', '回访电话接通后无人应答，随即挂断。']
# minutes between two workflow steps (min, max)
GAPS = {'transfer': (2, 8), 'self_dispatch': (3, 12), 'dispatch': (15, 240), 'accept': (20, 900),
        'return': (60, 600), 'rule_return': (30, 240), 'request_extension': (1440, 4320), 'approve_extension': (60, 480),
        'reject_extension': (60, 480), 'submit': (600, 8640), 'review_approve': (60, 720),
        'review_reject': (60, 720), 'callback_done': (240, 2880), 'reopen': (240, 2880), 'close_on_call': (3, 10),
        'cancel': (5, 60), 'merge': (10, 120), 'merge_in': (0, 1), 'urge': (60, 1440), 'callback_attempt': (60, 600),
        'callback_unreachable': (5, 30), 'callback_refused': (240, 2880)}
STATES = ['draft'] * 3 + ['pool'] * 7 + ['dispatched'] * 10 + ['processing'] * 20 + ['submitted'] * 9 + \
    ['callback'] * 9 + ['closed'] * 30 + ['closed_call'] * 6 + ['cancelled'] * 4 + ['merged'] * 2
SATISFACTION = ['very_satisfied'] * 7 + ['satisfied'] * 7 + ['basically_satisfied'] * 3 + ['dissatisfied'] * 2 + \
    ['very_dissatisfied']
CASE_COUNT = 320


class _DemoCases:
    """The generator's state: its seeded sequence, the demo staff and places, the open cases by category."""

    def __init__(self, env):
        self.seed = 20261125
        self.index = 0
        self.env = env
        # messages and tracking in the language of the demo staff
        self.Case = self.env['hotline.case'].with_context(lang='zh_CN')
        self.agents = [self.env.ref('hotline_case.user_agent'), self.env.ref('hotline_case.user_agent2')]
        self.dispatcher = self.env.ref('hotline_case.user_dispatcher')
        self.reviewer = self.env.ref('hotline_case.user_reviewer')
        self.types = {}
        for xid in ['complaint', 'consult', 'help', 'suggestion', 'emergency', 'service', 'report', 'praise']:
            self.types[xid] = self.env.ref('hotline_case.case_type_' + xid)
        self.streets = self.env['hotline.street'].search(
            [('district_id.code', 'in', ['CG', 'GX', 'JK', 'DC', 'XC', 'NH'])])
        self.units = self.env['hotline.unit'].search([('member_ids', '!=', False), ('parent_id', '=', False)])
        self.known = [(self.env.ref('hotline_case.' + p), self.env.ref('hotline_case.' + s)) for p, s in KNOWN_CALLERS]
        self.consult_templates = [t for t in TEMPLATES if t[1] == 'consult']
        self.open_by_category = {}
        self.now = datetime.datetime.now().replace(microsecond=0)

    def rnd(self, n):
        self.seed = (self.seed * 1103515245 + 12345) % 2147483648
        return (self.seed // 256) % n

    def pick(self, items):
        return items[self.rnd(len(items))]

    def caller_values(self, index):
        """The first cases belong to the frequent caller; then 60% known callers, 40% first-time callers."""
        if index < 6:
            partner, street = self.known[0]
        elif self.rnd(10) < 6:
            partner, street = self.pick(self.known)
        else:
            street = self.pick(self.streets)
            phone = '1' + self.pick('35789') + str(100000000 + self.rnd(899999999))
            address = '%s%d号%s%d号楼%d单元%d0%d' % (
                self.pick(ROADS), 1 + self.rnd(300), self.pick(COMPOUNDS), 1 + self.rnd(20), 1 + self.rnd(4),
                1 + self.rnd(18), 1 + self.rnd(4))
            return {'caller_phone': phone, 'caller_name': self.pick(SURNAMES) + self.pick(GIVEN),
                    'street_id': street.id, 'district_id': street.district_id.id, 'address': address}
        return {'partner_id': partner.id, 'caller_phone': partner.phone, 'caller_name': partner.name,
                'street_id': street.id, 'district_id': street.district_id.id, 'address': partner.street}

    def member(self, case):
        return case.sudo().unit_id.member_ids[:1]

    def dispatch(self, case, agent, unit=None):
        """自调度 by the agent or 转调度 then 分理 by the dispatcher."""
        unit = unit or case.suggested_unit_id
        if case.state == 'draft' and self.rnd(2):
            case.write({'unit_id': unit.id})
            case.with_user(agent).action_self_dispatch()
        else:
            if case.state == 'draft':
                case.with_user(agent).action_transfer()
            case.write({'unit_id': unit.id})
            case.with_user(self.dispatcher).action_dispatch()

    def handle(self, case, agent, result):
        """Unit signs for the case and submits its result; now and then returns a misdirected case first."""
        if self.rnd(12) == 0:
            right_unit = case.suggested_unit_id
            self.dispatch(case, agent, self.pick(self.units - right_unit))
            case.with_user(self.member(case)).action_return(reason=self.pick(RETURN_REASONS))
            # 退单裁定 by the dispatcher (without drawing from rnd: the other demo figures stay as they were)
            returned = case.log_ids.filtered(lambda log: log.action == 'return').sorted('id')[-1:]
            if self.index % 4:
                returned.with_user(self.dispatcher).action_rule_return(
                    'justified', '经核实，该事项确不属于该单位职责，退单合理。')
            else:
                returned.with_user(self.dispatcher).action_rule_return(
                    'improper', '该事项属于该单位职责范围，应由其办理，退单理由不成立。')
            self.dispatch(case, agent, right_unit)
        elif case.state in ('draft', 'pool'):
            self.dispatch(case, agent)
        case.with_user(self.member(case)).action_accept()
        if self.rnd(8) == 0:
            case.with_user(self.member(case)).action_request_extension(days=5, reason='需要协调多个部门，更换管材需要采购周期。')
            if self.rnd(3):
                case.with_user(self.reviewer).action_approve_extension()
            else:
                case.with_user(self.reviewer).action_reject_extension(note='可先行临时处置，请按原期限办结。')
        case.with_user(self.member(case)).action_submit(note=result)

    def review(self, case, agent, result):
        if self.rnd(10) == 0:
            case.with_user(self.reviewer).action_review_reject(note='处理结果未说明是否已与来电人联系，请补充现场照片并联系来电人。')
            self.handle(case, agent, result + '已与来电人电话联系确认。')
        case.with_user(self.reviewer).action_review_approve()

    def run(self):
        for index in range(CASE_COUNT):
            self.index = index
            case, target, agent, suffix, result = self.record(index)
            self.walk(case, target, agent, suffix, result)
            self.date_back(case)
        # The creation messages were written before the module's translations are loaded (after the demo data):
        # give them the Chinese model name.
        self.env['mail.message'].search([('model', '=', 'hotline.case'), ('message_type', '=', 'notification'),
                                         ('body', 'ilike', 'Hotline Case')]).write({'body': '<p>热线工单 已创建</p>'})
        # The cases were numbered today: number them by the day they were received.
        self.Case._renumber_by_reception()

    def record(self, index):
        """A case as an agent records it, of a state to reach, in a category, with the result to give."""
        target = self.pick(STATES)
        template = self.pick(self.consult_templates) if target == 'closed_call' else self.pick(TEMPLATES)
        suffix, type_xid, urgency_kind, text, result = template
        agent = self.pick(self.agents)
        vals = self.caller_values(index)
        place = self.env['hotline.street'].browse(vals['street_id'])
        vals.update({
            'channel': self.pick(['phone'] * 8 + ['web', 'walk_in']),
            'type_id': self.types[type_xid].id,
            'category_id': self.env.ref('hotline_case.category_' + suffix).id,
            'urgency': {'c': self.pick(['critical', 'urgent']),
                        'u': self.pick(['urgent', 'normal', 'normal'])}.get(urgency_kind, 'normal'),
            'description': text.format(addr=place.district_id.name + (vals['address'] or '')),
            'confidential': self.rnd(12) == 0,
        })
        case = self.Case.with_user(agent).create(vals).with_user(agent)
        case = self.Case.browse(case.id)
        return case, target, agent, suffix, result

    def walk(self, case, target, agent, suffix, result):
        """The workflow steps to `target`, by the people who take them."""
        if target == 'closed_call':
            case.write({'resolution_note': result})
            case.with_user(agent).action_close_on_call()
        elif target == 'pool':
            case.with_user(agent).action_transfer()
        elif target == 'dispatched':
            self.dispatch(case, agent)
        elif target == 'processing':
            self.dispatch(case, agent)
            case.with_user(self.member(case)).action_accept()
            if self.rnd(10) == 0:
                case.with_user(self.reviewer).action_urge(note='督办：该工单群众反映强烈，请加快办理并及时反馈。')
            elif self.rnd(8) == 0:
                # left waiting for the reviewer's decision (审核 → 延期申请)
                case.with_user(self.member(case)).action_request_extension(
                    days=3, reason='涉及地下管网开挖，需办理占道挖掘许可，申请延期3个工作日。')
        elif target in ('submitted', 'callback', 'closed'):
            self.handle(case, agent, result)
            if target != 'submitted':
                self.review(case, agent, result)
            if target == 'closed':
                satisfaction = self.pick(SATISFACTION)
                if satisfaction == 'very_dissatisfied' and self.rnd(2):
                    case.with_user(agent).action_reopen(note=CALLBACK_NOTES[satisfaction])
                    self.handle(case, agent, result)
                    self.review(case, agent, result)
                    satisfaction = 'satisfied'
                self.call_back(case, agent, satisfaction)
        elif target == 'cancelled':
            case.with_user(agent).action_cancel(reason=self.pick(CANCEL_REASONS))
        elif target == 'merged' and self.open_by_category.get(suffix):
            case.with_user(agent).action_merge(self.open_by_category[suffix])
        if case.state in ('pool', 'dispatched', 'processing'):
            self.open_by_category[suffix] = case

    def call_back(self, case, agent, satisfaction):
        """The callback: the caller's rating; now and then it reaches no one after every attempt (无法联系) or the
        caller declines to rate (拒绝评价), chosen by the case's index without drawing from rnd."""
        if self.index % 15 == 4:
            for attempt in range(case._callback_max_attempts()):
                case.with_user(agent).action_callback_attempt(note=UNREACHABLE_NOTES[attempt % len(UNREACHABLE_NOTES)])
            case.with_user(agent).action_callback_unreachable()
        elif self.index % 15 == 9:
            case.with_user(agent).action_callback_refused(note='来电人接听后表示问题已处理，不愿参与评价。')
        else:
            case.with_user(agent).action_callback_done(satisfaction=satisfaction, note=CALLBACK_NOTES[satisfaction])

    def date_back(self, case):
        """Date the case back: its steps keep their order and get realistic intervals."""
        logs = case.log_ids.sorted('id')
        gaps = [GAPS.get(log.action, (5, 60)) for log in logs]
        steps = [lo + self.rnd(hi - lo + 1) for lo, hi in gaps]
        if case.state in ('closed', 'cancelled'):
            age = 60 * 24 + self.rnd(60 * 24 * 55)
        elif case.state == 'processing':
            age = self.rnd(60 * 24 * 12)
        elif case.state in ('submitted', 'callback'):
            age = self.rnd(60 * 24 * 3)
        else:
            age = self.rnd(60 * 18)
        end = self.now - datetime.timedelta(minutes=age)
        received = end - datetime.timedelta(minutes=sum(steps) + 3 + self.rnd(5))
        timeline = [received]
        moment = received
        dates = {'date_received': received}
        shift = None
        last_return = None
        for log, step in zip(logs, steps, strict=True):
            moment = moment + datetime.timedelta(minutes=step)
            timeline.append(moment)
            if log.action in ('self_dispatch', 'dispatch'):
                shift = moment - log.date
                dates['date_dispatched'] = moment
            elif log.action == 'accept':
                dates['date_accepted'] = moment
            elif log.action == 'submit':
                dates['date_submitted'] = moment
            elif log.to_state in ('closed', 'cancelled'):
                dates['date_closed'] = moment
            if log.action == 'return':
                last_return = log
            elif log.action == 'rule_return':
                last_return.write({'ruling_date': moment})
            log.write({'date': moment})
        if shift is not None and case.deadline:
            dates['deadline'] = case.deadline + shift
            if case.sign_deadline:
                dates['sign_deadline'] = case.sign_deadline + shift
        case.sudo().write(dates)
        for position, message in enumerate(case.sudo().message_ids.sorted('id')):
            message.write({'date': timeline[min(position, len(timeline) - 1)]})


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    @api.model
    def _demo_generate_cases(self):
        _DemoCases(self.env).run()
